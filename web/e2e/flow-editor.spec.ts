import { expect, type Locator, type Page, test } from '@playwright/test';
import { expectNoSeriousA11yViolations } from './axe';
import { adminKey, api, shot, signIn } from './support';

/**
 * The flow editor (issue 16) against the real server and the fake LLM: two fields made on the Fields
 * page, a stage that requires them, an edge drawn with the mouse from its handle to the booking
 * stage's handle and saved as a "when complete" rule, then a simulator chat until the rule moves the
 * conversation. Then the list view on a phone and deleting an edge. Each test has its own business.
 */
const suffix = Date.now().toString(36);

interface Setup {
  businessId: string;
  key: string;
  stages: Record<string, string>;
}

/** A business with stages (by name; the first is the entry stage), signed in with its own key. */
async function setup(page: Page, name: string, stageNames: string[], stageBody: object = {}): Promise<Setup> {
  const business = await api('POST', '/api/businesses', adminKey(), {
    business_name: `${name} ${suffix}`,
    business_description: 'A restaurant that takes table bookings.',
  });
  const key = business.api_key as string;
  const businessId = business.business_id as string;
  const stages: Record<string, string> = {};
  const existing = await api('GET', `/api/stages?business_id=${businessId}`, key);
  for (const s of existing.stages) stages[s.stage_name] = s.stage_id;
  for (const stageName of stageNames) {
    if (stages[stageName]) continue;
    const made = await api('POST', '/api/stages', key, {
      business_id: businessId,
      stage_name: stageName,
      stage_description: `The ${stageName.toLowerCase()} step.`,
      ...stageBody,
    });
    stages[stageName] = made.stage_id;
  }
  await api('PUT', `/api/businesses/${businessId}`, key, { first_stage_id: stages[stageNames[0] as string] });
  await page.goto('/sign-in');
  await signIn(page, key, businessId);
  await expect(page.getByRole('button', { name: 'Sign out', exact: true })).toBeVisible();
  return { businessId, key, stages };
}

const node = (page: Page, stageId: string) => page.locator(`.react-flow__node[data-id="${stageId}"]`);

/** Presses the mouse on one handle and releases it on another, moving in steps as a hand would. */
async function drag(page: Page, from: Locator, to: Locator) {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  if (!a || !b) throw new Error('a handle is not on screen');
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2 + 20, { steps: 8 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 8 });
  await page.mouse.up();
}

async function openFlow(page: Page, diagram = true) {
  await page.goto('/stages/flow');
  await expect(page.getByRole('heading', { level: 1, name: 'Stage flow' })).toBeVisible();
  // ELK has laid the graph out and the view is fitted: nothing moves under the mouse any more.
  if (diagram) await expect(page.locator('[data-layout="laid-out"]')).toBeVisible();
}

test('fields, a stage that requires them, a rule drawn in the flow editor; the simulator chat follows it', async ({
  page,
}) => {
  const s = await setup(page, 'Flow Trattoria', ['Intake', 'Booking']);

  await test.step('two fields on the Fields page', async () => {
    await page.goto('/fields');
    for (const [name, label, type] of [
      ['email', 'E-mail', 'E-mail'],
      ['party_size', 'Party size', 'Number'],
    ] as const) {
      await page.getByRole('button', { name: 'New field' }).first().click();
      const dialog = page.getByRole('dialog', { name: 'New field' });
      await dialog.getByRole('textbox', { name: /^Name/ }).fill(name);
      await dialog.getByRole('textbox', { name: /^Label/ }).fill(label);
      await dialog.getByRole('combobox', { name: 'Type' }).click();
      await page.getByRole('option', { name: type, exact: true }).click();
      await dialog.getByRole('button', { name: 'Save' }).click();
      await expect(dialog).toBeHidden();
      await expect(page.getByRole('table', { name: 'Fields' })).toContainText(label);
    }
  });

  await test.step('Intake requires both fields', async () => {
    await api('PUT', `/api/stages/${s.stages.Intake}`, s.key, { required_fields: ['email', 'party_size'] });
  });

  await test.step('draw Intake → Booking and save it as a "when complete" rule', async () => {
    await openFlow(page);
    const intake = node(page, s.stages.Intake as string);
    await expect(intake).toContainText('Required: E-mail, Party size');
    await expect(intake).toContainText('Goal: 2 required fields');
    await shot(page, 'flow-editor-01-before');
    await drag(
      page,
      intake.locator('.react-flow__handle.source'),
      node(page, s.stages.Booking as string).locator('.react-flow__handle.target'),
    );
    const dialog = page.getByRole('dialog', { name: 'Connect Intake to Booking' });
    await dialog.getByRole('radio', { name: /A rule/ }).check();
    await expect(dialog.getByRole('combobox', { name: 'When' })).toContainText('The stage is complete');
    await dialog.getByRole('textbox', { name: /Label/ }).fill('details collected');
    await dialog.getByRole('button', { name: 'Add' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.locator('.react-flow__edgelabel-renderer')).toContainText('details collected');
    const intakeStage = await api('GET', `/api/stages/${s.stages.Intake}`, s.key);
    expect(intakeStage.transition_rules).toEqual([
      { kind: 'complete', target_stage_id: s.stages.Booking, label: 'details collected' },
    ]);
    await shot(page, 'flow-editor-02-rule-drawn');
  });

  await test.step('chat in the simulator until the rule moves the conversation to Booking', async () => {
    await page.goto('/simulator');
    const chat = page.getByRole('log', { name: 'Chat' });
    const messages = [
      'Hello, I would like a table for tonight.',
      'My email is ana@example.com and party size is 4',
      'Thank you!',
      'See you then.',
    ];
    let moved = false;
    for (const [i, text] of messages.entries()) {
      await page.getByLabel('Message').fill(text);
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await expect(chat).toContainText(text);
      // The fake LLM's reply quotes the message: the turn is over.
      await expect(chat).toContainText(`Thanks for your message "${text}"`, { timeout: 30_000 });
      await expect(page.getByRole('region', { name: 'Pipeline' })).toContainText(`turn ${i + 1}`);
      const conversations = await api(
        'GET',
        `/api/conversations?business_id=${s.businessId}&channel=simulator`,
        s.key,
      );
      const current = conversations.conversations[0];
      if (current?.stage_id === s.stages.Booking) {
        moved = true;
        const detail = await api('GET', `/api/conversations/${current.conversation_id}`, s.key);
        const last = detail.stage_transitions.at(-1);
        expect(last).toMatchObject({ from_stage_id: s.stages.Intake, to_stage_id: s.stages.Booking });
        expect(JSON.stringify(last)).toContain('details collected');
        // The simulator shows the move, and that no selection call was needed for it.
        const pipeline = page.getByRole('region', { name: 'Pipeline' });
        await expect(pipeline).toContainText('Booking');
        await expect(pipeline.getByRole('button', { name: /Stage selection/ })).toContainText('skipped');
        break;
      }
    }
    expect(moved, 'the rule moved the conversation to Booking').toBe(true);
    await shot(page, 'flow-editor-03-simulator');
  });

  await test.step('the flow shows the observed move on the rule edge', async () => {
    await openFlow(page);
    await expect(page.locator('.react-flow__edgelabel-renderer')).toContainText('details collected · 1×');
  });
});

test('on a phone the flow is a list, edited with buttons and the keyboard', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true });
  const page = await context.newPage();
  const s = await setup(page, 'Flow Phone Cafe', ['Greeting', 'Booking', 'Human']);
  await openFlow(page, false);
  const list = page.getByRole('list', { name: 'Stages and their transitions' });
  await expect(list).toBeVisible();
  await expect(page.locator('.react-flow')).toHaveCount(0);
  const greeting = list.getByRole('listitem', { name: 'Greeting' });
  await expect(greeting).toContainText('Any stage');

  await greeting.getByRole('button', { name: 'Add allowed stage after Greeting' }).focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'From Greeting' });
  await expect(dialog.getByRole('combobox', { name: /Next stage/ })).toBeFocused();
  await page.keyboard.press('Enter');
  await page.getByRole('option', { name: 'Booking' }).press('Enter');
  await dialog.getByRole('button', { name: 'Add' }).press('Enter');
  await expect(dialog).toBeHidden();
  await expect(greeting).toContainText('→ Booking');
  await expect(greeting.getByRole('switch', { name: 'Any stage may follow Greeting' })).not.toBeChecked();
  expect((await api('GET', `/api/stages/${s.stages.Greeting}`, s.key)).allowed_next_stage_ids).toEqual([
    s.stages.Booking,
  ]);
  await expectNoSeriousA11yViolations(page, 'stage-flow-phone');
  await shot(page, 'flow-editor-04-phone-list');
  await context.close();
});

test('an edge selected on the canvas is deleted with the Delete key', async ({ page }) => {
  const s = await setup(page, 'Flow Delete Deli', ['Greeting', 'Booking']);
  await api('PUT', `/api/stages/${s.stages.Greeting}`, s.key, {
    allowed_next_stage_ids: [s.stages.Booking],
  });
  await openFlow(page);
  const edge = page.locator(`.react-flow__edge[data-id="allowed:${s.stages.Greeting}>${s.stages.Booking}"]`);
  await expect(edge).toHaveCount(1);
  await expectNoSeriousA11yViolations(page, 'stage-flow-diagram');
  // The route is orthogonal: its first segment runs right from Greeting's source handle at its height.
  const from = await node(page, s.stages.Greeting as string)
    .locator('.react-flow__handle.source')
    .boundingBox();
  if (!from) throw new Error('the handle is not on screen');
  await page.mouse.click(from.x + from.width / 2 + 12, from.y + from.height / 2);
  await expect(page.getByRole('button', { name: 'Delete connection' })).toBeVisible();
  await page.keyboard.press('Delete');
  await expect(edge).toHaveCount(0);
  expect((await api('GET', `/api/stages/${s.stages.Greeting}`, s.key)).allowed_next_stage_ids).toEqual([]);
});
