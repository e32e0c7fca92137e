import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Browser, type BrowserContext, expect, type Page, test } from '@playwright/test';
import { adminKey, api, apiBase, shot, signInWithPassword } from './support';

/**
 * The live inbox (issue 11) with two agents signed in at once, A on a 1440 px desktop and B on a
 * 390 px phone: a WhatsApp customer writes (a signed webhook); both inboxes show it without a reload;
 * A takes over and B sees it assigned and the AI paused; A answers with a canned reply picked with
 * `/`, which the fake Graph API receives; A's internal note reaches B but never the Graph API; A gives
 * the conversation back and the customer's next message gets an AI reply on WhatsApp again.
 */
test.describe.configure({ mode: 'serial' });

const suffix = Date.now().toString(36);
const phoneNumberId = String(Date.now() + 7).slice(-12);
const waId = `3519${String(Date.now() + 7).slice(-8)}`;
const customerName = `Maria Inbox ${suffix}`;
const agentA = { name: 'Ana Agent', email: `ana-${suffix}@example.com`, password: `ana inbox ${suffix} pw` };
const agentB = {
  name: 'Bruno Agent',
  email: `bruno-${suffix}@example.com`,
  password: `bruno inbox ${suffix} pw`,
};
const firstQuestion = `Do you have helmets in size M? (${suffix})`;
const secondQuestion = `And do they come in blue? (${suffix})`;
const noteText = `Stock check pending with the warehouse (${suffix})`;

let business: { business_id: string; api_key: string };
let a: Page;
let b: Page;
const contexts: BrowserContext[] = [];

/** Posts a WhatsApp Cloud API webhook, signed with the app secret over the exact bytes sent. */
async function customerWrites(text: string, n: number) {
  const raw = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId },
              contacts: [{ profile: { name: customerName }, wa_id: waId }],
              messages: [
                {
                  from: waId,
                  id: `wamid.inbox${suffix}${n}`,
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  type: 'text',
                  text: { body: text },
                },
              ],
            },
          },
        ],
      },
    ],
  });
  const signature = createHmac('sha256', process.env.E2E_META_APP_SECRET as string)
    .update(raw)
    .digest('hex');
  const ack = await fetch(`${apiBase()}/webhook/whatsapp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${signature}` },
    body: raw,
  });
  expect(ack.status).toBe(200);
}

/** What the fake Graph API sent to this customer, from its log (one JSON line per send). */
function sendsToCustomer(): string[] {
  return readFileSync(process.env.E2E_GRAPH_LOG as string, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { to: string; text: string })
    .filter((s) => s.to === waId)
    .map((s) => s.text);
}

/** An agent account in the business: invited by the admin, accepted with a name and a password. */
async function makeAgent(person: typeof agentA) {
  const invitation = await api('POST', `/api/businesses/${business.business_id}/members`, adminKey(), {
    email: person.email,
    role: 'agent',
  });
  const token = new URL(invitation.invitation_url).pathname.split('/').pop();
  const accepted = await fetch(`${apiBase()}/api/invitations/${token}/accept`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: person.name, password: person.password }),
  });
  expect(accepted.status).toBe(200);
}

async function signedIn(
  browser: Browser,
  person: typeof agentA,
  viewport: { width: number; height: number },
) {
  const context = await browser.newContext({ viewport, hasTouch: viewport.width < 500 });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto('/sign-in');
  await signInWithPassword(page, person.email, person.password);
  await expect(page.getByRole('heading', { level: 1, name: 'Conversations' })).toBeVisible();
  return page;
}

const conversationRow = (page: Page) =>
  page.getByRole('list', { name: 'Conversations' }).getByRole('link', { name: new RegExp(customerName) });
const transcriptOf = (page: Page) => page.getByRole('log', { name: 'Transcript' });

test.beforeAll(async ({ browser }) => {
  business = await api('POST', '/api/businesses', adminKey(), {
    business_name: `Inbox Bikes ${suffix}`,
    business_description: 'Bicycle shop with a small support team.',
  });
  await api('PUT', `/api/businesses/${business.business_id}/channels/whatsapp`, business.api_key, {
    phone_number_id: phoneNumberId,
    access_token: 'EAAG-e2e-inbox-token',
  });
  await api('POST', '/api/canned-replies', business.api_key, {
    business_id: business.business_id,
    shortcut: 'stock',
    content: 'Thanks {{user_name}}! A colleague is checking the stock for you right now.',
  });
  await makeAgent(agentA);
  await makeAgent(agentB);
  a = await signedIn(browser, agentA, { width: 1440, height: 900 });
  b = await signedIn(browser, agentB, { width: 390, height: 844 });
});

test.afterAll(async () => {
  for (const context of contexts) await context.close();
});

test('a WhatsApp message shows up in both inboxes without a reload', async () => {
  for (const page of [a, b]) await expect(page.getByText('Live', { exact: true })).toBeVisible();
  await customerWrites(firstQuestion, 1);
  // The assistant answers on WhatsApp through the fake Graph API.
  await expect.poll(() => sendsToCustomer().length, { timeout: 60_000 }).toBe(1);
  for (const page of [a, b]) {
    await expect(conversationRow(page)).toBeVisible({ timeout: 30_000 });
    await expect(conversationRow(page).getByRole('img', { name: 'WhatsApp' })).toBeVisible();
  }
});

test('agent A takes over; agent B sees it assigned and the AI paused', async () => {
  await conversationRow(a).click();
  await expect(transcriptOf(a).getByText(firstQuestion, { exact: true })).toBeVisible();
  await a.getByRole('toolbar', { name: 'Hand-off' }).getByRole('button', { name: 'Take over' }).click();
  const header = a.getByRole('region', { name: 'Conversation', exact: true });
  await expect(header.getByText('Assigned to me', { exact: true })).toBeVisible();
  await expect(header.getByText('AI paused', { exact: true })).toBeVisible();

  const rowB = conversationRow(b);
  await expect(rowB.getByText(agentA.name, { exact: true })).toBeVisible();
  await expect(rowB.getByText('AI paused', { exact: true })).toBeVisible();
  await shot(b, '51-inbox-list-390px');
  await rowB.click();
  await expect(b.getByRole('heading', { level: 1, name: customerName })).toBeVisible();
  await expect(b.getByText(`Assigned to ${agentA.name}`, { exact: true })).toBeVisible();
  await expect(b.getByText('AI paused', { exact: true })).toBeVisible();
});

test('A answers with a canned reply picked with "/": the Graph API receives it', async () => {
  const box = a.getByRole('textbox', { name: 'Reply to the customer' });
  await box.click();
  await a.keyboard.type('/sto');
  const picker = a.getByRole('listbox', { name: 'Canned replies' });
  await expect(picker.getByRole('option', { name: /\/stock/ })).toHaveAttribute('aria-selected', 'true');
  await a.keyboard.press('Enter');
  await expect(box).toHaveValue(
    `Thanks ${customerName}! A colleague is checking the stock for you right now.`,
  );
  await a.keyboard.press('Enter');
  await expect(box).toHaveValue('');
  const reply = `Thanks ${customerName}! A colleague is checking the stock for you right now.`;
  await expect(transcriptOf(a).getByRole('listitem', { name: 'Human agent message' })).toContainText(reply);
  await expect.poll(() => sendsToCustomer(), { timeout: 60_000 }).toContain(reply);
  await expect(transcriptOf(a).getByText('sent ✓', { exact: true }).last()).toBeVisible({ timeout: 30_000 });
  // B's open conversation follows without a reload.
  await expect(transcriptOf(b).getByRole('listitem', { name: 'Human agent message' })).toContainText(reply);
});

test('A adds an internal note: B sees it, the customer never gets it', async () => {
  await a.getByRole('button', { name: 'Internal note' }).click();
  const box = a.getByRole('textbox', { name: 'Internal note — not sent' });
  await box.fill(noteText);
  await box.press('Enter');
  await expect(transcriptOf(a).getByRole('listitem', { name: 'Internal note' })).toContainText(noteText);
  await expect(transcriptOf(b).getByRole('listitem', { name: 'Internal note' })).toContainText(noteText);
  await shot(a, '50-inbox-1440px');
  await shot(b, '52-inbox-conversation-390px');
  expect(sendsToCustomer()).not.toContain(noteText);
  expect(sendsToCustomer()).toHaveLength(2);
});

test('A gives it back to the AI; the next customer message gets an AI reply on WhatsApp', async () => {
  await a.getByRole('button', { name: 'Reply', exact: true }).click();
  await a.getByRole('toolbar', { name: 'Hand-off' }).getByRole('button', { name: 'Give back to AI' }).click();
  const header = a.getByRole('region', { name: 'Conversation', exact: true });
  await expect(header.getByText('AI answering', { exact: true })).toBeVisible();
  await expect(header.getByText('Unassigned', { exact: true })).toBeVisible();
  await expect(b.getByText('AI answering', { exact: true })).toBeVisible();

  await customerWrites(secondQuestion, 2);
  await expect.poll(() => sendsToCustomer().length, { timeout: 60_000 }).toBe(3);
  expect(sendsToCustomer()).not.toContain(noteText);
  await expect(transcriptOf(a).getByText(secondQuestion, { exact: true })).toBeVisible();
  await expect(transcriptOf(a).getByRole('listitem', { name: 'Assistant message' })).toHaveCount(2);
  // Still on the note's page for B: the conversation updated live there too.
  await expect(transcriptOf(b).getByText(secondQuestion, { exact: true })).toBeVisible();
});

test('the canned replies page lists the shortcuts; an agent reads them but may not edit them', async () => {
  await a
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Canned replies', exact: true })
    .click();
  await expect(a.getByRole('heading', { level: 1, name: 'Canned replies' })).toBeVisible();
  await expect(a.getByRole('table', { name: 'Canned replies' })).toContainText('/stock');
  await expect(a.getByText(/Read only: Only editors and owners can do this/)).toBeVisible();
  await expect(a.getByRole('button', { name: 'New canned reply' })).toHaveCount(0);
  await shot(a, '53-canned-replies-1440px');
});
