import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { adminKey, appendToEditor, openFromNav, shot, signIn, signOut } from './support';

/**
 * The whole life of a business in the dashboard, in one browser session against the real server
 * (PGlite) and the fake LLM: admin creates a business → the business builds two stages with edited
 * templates → chats in the simulator until the stage changes and a fact is extracted → reads the
 * conversation with its stage, fact and LLM calls → stops the AI and answers as a human → signs out.
 */
test.describe.configure({ mode: 'serial' });

test.describe('business journey', () => {
  const suffix = Date.now().toString(36);
  const businessName = `E2E Trattoria ${suffix}`;
  const email = 'ana@example.com';
  // The customer names the stage ("booking"): the fake LLM routes to the stage the message names.
  const firstMessage = `Hello! I would like a booking for two tonight, my email is ${email}`;
  const bookingLine = 'Mention that tables are held for 15 minutes.';
  const complaintsLine = 'Apologise once and offer a call back from the manager.';
  const routingLine = 'Answer with the name of the stage that the new customer message asks for.';
  const stoppedMessage = 'Is anyone there? I need to change the time.';
  const agentReply = 'Hi Ana, this is Marco. I moved your table to 21:00.';

  let context: BrowserContext;
  let page: Page;
  let businessId = '';
  let businessKey = '';

  test.beforeAll(async ({ browser }) => {
    context = await browser.newContext();
    page = await context.newPage();
  });

  test.afterAll(async () => {
    await context?.close();
  });

  test('admin signs in with the master key and creates a business', async () => {
    await test.step('the app sends a visitor to the sign-in page', async () => {
      await page.goto('/');
      await expect(page).toHaveURL(/\/sign-in$/);
      await expect(page.getByRole('heading', { name: 'Sign in to ICMP' })).toBeVisible();
      await shot(page, '01-sign-in');
    });

    await test.step('sign in with the master key alone', async () => {
      await signIn(page, adminKey());
      await expect(page.getByRole('button', { name: 'Sign out', exact: true })).toBeVisible();
      await expect(page.getByText('Admin', { exact: true })).toBeVisible();
      await expect(page).toHaveURL(/\/conversations$/);
      await shot(page, '02-admin-home');
    });

    await test.step('create a business and read its key from the one-time dialog', async () => {
      await openFromNav(page, 'Businesses');
      await shot(page, '03-businesses');
      await page.getByRole('button', { name: 'Create business', exact: true }).first().click();
      const form = page.getByRole('dialog', { name: 'Create business' });
      await form.getByLabel('Business name').fill(businessName);
      await form.getByLabel('Description').fill('Italian restaurant in Lisbon, open every evening.');
      await shot(page, '04-create-business-dialog');
      await form.getByRole('button', { name: 'Create', exact: true }).click();

      const keyDialog = page.getByRole('dialog', { name: `Business "${businessName}" created` });
      await expect(keyDialog).toBeVisible();
      await expect(keyDialog.getByText('It is shown only once')).toBeVisible();
      businessKey = ((await keyDialog.getByLabel('New API key').textContent()) ?? '').trim();
      // NewKeyDialog gives the business id no accessible name; it is the only UUID in the dialog.
      businessId = (
        (await keyDialog
          .getByText(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
          .textContent()) ?? ''
      ).trim();
      expect(businessKey).toMatch(/^icmp_\S{20,}$/);
      expect(businessId).not.toBe('');
      await expect(keyDialog.getByRole('button', { name: 'Copy key', exact: true })).toBeVisible();
      await shot(page, '05-new-business-key');
      await keyDialog.getByRole('button', { name: 'I have copied it', exact: true }).click();
      await expect(keyDialog).toBeHidden();
      await expect(
        page
          .getByRole('table', { name: 'Businesses' })
          .getByRole('button', { name: businessName, exact: true }),
      ).toBeVisible();
      await shot(page, '06-businesses');
    });

    await test.step('sign out as admin', async () => {
      await signOut(page);
    });
  });

  test('the business signs in and creates two stages with edited templates', async () => {
    await test.step('sign in with business id and key', async () => {
      await signIn(page, businessKey, businessId);
      await expect(page.getByRole('button', { name: 'Sign out', exact: true })).toBeVisible();
      await expect(page.getByRole('banner').getByText(businessName)).toBeVisible();
      await expect(
        page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Businesses', exact: true }),
      ).toHaveCount(0);
      await shot(page, '07-business-home');
    });

    await test.step('the new business has its default stage', async () => {
      await openFromNav(page, 'Stages');
      await expect(
        page.getByRole('table', { name: 'Stages' }).getByRole('link', { name: 'General', exact: true }),
      ).toBeVisible();
      await shot(page, '08-stages-default');
    });

    for (const stage of [
      {
        name: 'Booking',
        description: 'The customer wants to reserve a table.',
        line: bookingLine,
        shotNo: 9,
      },
      {
        name: 'Complaints',
        description: 'The customer is unhappy with the food or the service.',
        line: complaintsLine,
        shotNo: 11,
      },
    ]) {
      await test.step(`create the ${stage.name} stage`, async () => {
        await openFromNav(page, 'Stages');
        await page.getByRole('link', { name: 'New stage', exact: true }).click();
        await expect(page.getByRole('heading', { level: 1, name: 'New stage' })).toBeVisible();
        await page.getByLabel('Stage name').fill(stage.name);
        await page.getByLabel('Stage description').fill(stage.description);
        await shot(page, `${String(stage.shotNo).padStart(2, '0')}-stage-new-${stage.name.toLowerCase()}`);
        await page.getByRole('button', { name: 'Create stage', exact: true }).click();
        await expect(page.getByRole('heading', { level: 1, name: stage.name, exact: true })).toBeVisible();
        await expect(page.getByText(stage.description)).toBeVisible();
      });

      await test.step(`edit the ${stage.name} response template`, async () => {
        await page.getByRole('link', { name: `${stage.name} — response generation`, exact: true }).click();
        await expect(
          page.getByRole('heading', { level: 1, name: `${stage.name} — response generation` }),
        ).toBeVisible();
        await appendToEditor(page, 'Template content', stage.line);
        await expect(page.getByRole('status').filter({ hasText: 'Unsaved changes' })).toBeVisible();
        await page.getByRole('button', { name: 'Save template', exact: true }).click();
        await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
        await expect(page.getByRole('textbox', { name: 'Template content', exact: true })).toContainText(
          stage.line,
        );
        await shot(
          page,
          `${String(stage.shotNo + 1).padStart(2, '0')}-template-${stage.name.toLowerCase()}-response`,
        );
      });
    }

    await test.step('edit the entry stage’s selection template in the code editor', async () => {
      // Replaces the default prompt's last two lines (the stay-bias instruction) with our own line.
      await openFromNav(page, 'Templates');
      await page
        .getByRole('table', { name: 'Templates' })
        .getByRole('link', { name: 'General — stage selection', exact: true })
        .click();
      await expect(page.getByRole('heading', { level: 1, name: 'General — stage selection' })).toBeVisible();
      const editor = page.getByRole('textbox', { name: 'Template content', exact: true });
      await expect(editor).toContainText('Stay in');
      await editor.click();
      for (let i = 0; i < 2; i++) {
        await page.keyboard.press('Control+End');
        await page.keyboard.press('Control+Shift+K'); // CodeMirror: delete line
      }
      await page.keyboard.press('Control+End'); // the empty line after the customer message
      await page.keyboard.press('Enter');
      await page.keyboard.type(routingLine);
      await expect(editor).not.toContainText('Stay in');
      await expect(editor).toContainText(routingLine);
      await page.getByRole('button', { name: 'Save template', exact: true }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
      await shot(page, '13-template-general-selection');
    });

    await test.step('the stage list shows the three stages with their templates', async () => {
      await openFromNav(page, 'Stages');
      const table = page.getByRole('table', { name: 'Stages' });
      for (const name of ['General', 'Booking', 'Complaints'])
        await expect(table.getByRole('link', { name, exact: true })).toBeVisible();
      await expect(
        table.getByRole('link', { name: 'Booking — response generation', exact: true }),
      ).toBeVisible();
      await shot(page, '14-stages');
    });
  });

  test('a chat in the simulator changes the stage and extracts a fact', async () => {
    await openFromNav(page, 'Simulator');
    await shot(page, '15-simulator-empty');
    await page.getByLabel('Message').fill(firstMessage);
    await page.getByRole('button', { name: 'Send', exact: true }).click();

    const chat = page.getByRole('log', { name: 'Chat' });
    const pipeline = page.getByRole('region', { name: 'Pipeline' });
    await test.step('the reply streams in', async () => {
      await expect(chat).toContainText(firstMessage);
      // The fake LLM thanks the customer quoting their message; the edited template shows in the prompt below.
      await expect(chat).toContainText('Thanks for your message', { timeout: 30_000 });
      await expect(pipeline.getByRole('heading', { name: 'Pipeline · turn 1' })).toBeVisible();
    });

    await test.step('the pipeline panel shows the stage change and the extracted e-mail', async () => {
      const stageChosen = pipeline.getByRole('group', { name: 'Stage chosen' });
      await expect(stageChosen).toContainText('General');
      await expect(stageChosen).toContainText('Booking');
      await expect(pipeline.getByRole('group', { name: 'Extracted facts' })).toContainText(`email: ${email}`);
      for (const step of ['Stage selection', 'Data extraction', 'Response generation'])
        await expect(pipeline.getByRole('button', { name: new RegExp(step) }).first()).toBeVisible();
      await shot(page, '16-simulator-turn-1');
    });
  });

  test('the conversation shows the stage, the fact and the LLM calls', async () => {
    await openFromNav(page, 'Conversations');
    // Simulator chats stay out of the inbox unless the channel filter asks for them.
    const list = page.getByRole('list', { name: 'Conversations' });
    await expect(page.getByText('Nothing here')).toBeVisible();
    await page.getByRole('button', { name: /^Filters/ }).click();
    await page.getByRole('combobox', { name: 'Channel' }).click();
    await page.getByRole('option', { name: 'Simulator (test chats)' }).click();
    await expect(list.getByRole('link')).toHaveCount(1);
    await shot(page, '17-conversations');
    await list.getByRole('link').first().click();

    await test.step('stage, stage history and collected data', async () => {
      const customer = page.getByRole('region', { name: 'Customer' });
      await expect(customer.getByText('Now: Booking')).toBeVisible();
      await expect(customer.getByRole('list', { name: 'Stage history' })).toContainText(
        /General\s*→\s*Booking/,
      );
      const data = customer.getByRole('table', { name: 'Collected data' });
      await expect(data.getByRole('row', { name: /email/ })).toContainText(email);
    });

    const transcript = page.getByRole('log', { name: 'Transcript' });
    await test.step('transcript with the customer message, the reply and the stage', async () => {
      await expect(transcript.getByRole('listitem', { name: 'Customer message' })).toContainText(
        firstMessage,
      );
      await expect(transcript.getByRole('listitem', { name: 'Assistant message' })).toContainText(
        'Thanks for your message',
      );
      await expect(transcript.getByRole('listitem', { name: /^Stage: General → Booking/ })).toBeVisible();
    });

    await test.step('what the assistant did: one line, then the fact and the three calls in order', async () => {
      const line = transcript.getByRole('button', { name: /What the assistant did/ }).first();
      await expect(line).toHaveAttribute('aria-expanded', 'false');
      await line.click();
      const turn = transcript.getByRole('region', { name: /^What the assistant did for message/ }).first();
      await expect(turn.getByRole('group', { name: 'Extracted facts' })).toContainText(`email: ${email}`);
      const calls = turn.getByRole('button', {
        name: /^(Stage selection|Data extraction|Response generation)/,
      });
      await expect(calls).toHaveCount(3);
      await expect(calls.nth(0)).toHaveAccessibleName(/^Stage selection/);
      await expect(calls.nth(1)).toHaveAccessibleName(/^Data extraction/);
      await expect(calls.nth(2)).toHaveAccessibleName(/^Response generation/);
      const response = calls.nth(2);
      await response.click();
      await expect(response).toHaveAttribute('aria-expanded', 'true');
      const details = turn.getByRole('region', { name: /^Response generation/ });
      await expect(details.getByLabel('Prompt', { exact: true })).toContainText(bookingLine);
      await expect(details.getByLabel('Answer', { exact: true })).toContainText('Thanks for your message');
      await shot(page, '18-conversation');
    });
  });

  test('stop the AI, a customer message gets no AI reply, an agent replies', async () => {
    let conversationUrl = '';
    await test.step('stop the AI', async () => {
      conversationUrl = page.url();
      await page.getByRole('button', { name: 'Stop AI', exact: true }).click();
      await expect(page.getByRole('button', { name: 'Give back to AI', exact: true })).toBeVisible();
      await expect(
        page
          .getByRole('region', { name: 'Conversation', exact: true })
          .getByText('AI paused', { exact: true }),
      ).toBeVisible();
      await shot(page, '19-conversation-ai-stopped');
    });

    await test.step('the customer writes again from the simulator: stored, no reply', async () => {
      await openFromNav(page, 'Simulator');
      await page.getByRole('combobox', { name: 'Continue a conversation' }).click();
      const options = page.getByRole('option');
      await expect(options).toHaveCount(2); // "New test customer" and the conversation
      await options.nth(1).click();
      const chat = page.getByRole('log', { name: 'Chat' });
      await expect(chat).toContainText(firstMessage);
      await page.getByLabel('Message').fill(stoppedMessage);
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await expect(chat.getByText('AI stopped — message stored without reply.')).toBeVisible();
      await expect(page.getByRole('region', { name: 'Pipeline' })).toContainText(
        'The AI is stopped for this conversation',
      );
      await shot(page, '20-simulator-ai-stopped');
    });

    await test.step('the conversation shows the message without an AI reply, waiting', async () => {
      await page.goto(conversationUrl);
      const transcript = page.getByRole('log', { name: 'Transcript' });
      await expect(transcript.getByRole('listitem', { name: 'Customer message' })).toHaveCount(2);
      await expect(transcript.getByRole('listitem', { name: 'Customer message' }).last()).toContainText(
        stoppedMessage,
      );
      await expect(transcript.getByText('The AI was paused: not answered automatically.')).toBeVisible();
      await expect(transcript.getByLabel(/^Waiting for a reply since/)).toBeVisible();
      await expect(transcript.getByRole('listitem', { name: 'Assistant message' })).toHaveCount(1);
      await expect(page.getByRole('button', { name: 'Give back to AI', exact: true })).toBeVisible();
    });

    await test.step('reply as a human agent', async () => {
      const box = page.getByRole('textbox', { name: 'Reply to the customer' });
      await box.fill(agentReply);
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      const transcript = page.getByRole('log', { name: 'Transcript' });
      await expect(transcript.getByRole('listitem', { name: 'Human agent message' })).toContainText(
        agentReply,
      );
      await expect(box).toHaveValue('');
      await expect(transcript.getByRole('listitem', { name: 'Assistant message' })).toHaveCount(1);
      await shot(page, '21-conversation-agent-reply');
    });
  });

  test('analytics counts the conversation, its messages and its LLM calls', async () => {
    await openFromNav(page, 'Analytics');
    await expect(page.getByRole('heading', { level: 1, name: 'Analytics' })).toBeVisible();
    // The journey's only conversation is a simulator chat: analytics counts those only when asked.
    await expect(page.getByText('No traffic in the last 30 days')).toBeVisible();
    const simulatorChats = page.getByRole('switch', { name: 'Include simulator chats' });
    await simulatorChats.click();
    await expect(simulatorChats).toBeChecked();
    const figures = page.getByRole('region', { name: 'Key figures' });
    // One conversation: the customer's two messages, the assistant's reply and the agent's reply.
    await expect(figures.getByRole('group', { name: 'Conversations', exact: true })).toContainText('1');
    await expect(figures.getByRole('group', { name: 'Messages', exact: true })).toContainText('4');
    const steps = page.getByRole('table', { name: 'LLM calls per step' });
    for (const step of ['Stage selection', 'Data extraction', 'Response generation'])
      await expect(steps.getByRole('row', { name: new RegExp(`^${step}`) })).toBeVisible();
    await shot(page, '21b-analytics');
  });

  test('sign out', async () => {
    await signOut(page);
    await shot(page, '22-signed-out');
    await page.goto('/conversations');
    await expect(page).toHaveURL(/\/sign-in$/);
    await expect(page.getByRole('button', { name: 'Sign out', exact: true })).toHaveCount(0);
  });
});
