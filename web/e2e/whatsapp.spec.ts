import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect, type Page, test } from '@playwright/test';
import { adminKey, api, apiBase, openFromNav, shot, signIn } from './support';

/**
 * WhatsApp from the business's side: it connects its number on the Channels page (and sends a test
 * message), a customer writes (a webhook signed like Meta signs it, to the real server), the
 * assistant's reply goes out through the fake Graph API, and an agent's reply from the dashboard does
 * too, each shown with its delivery status. The fake Graph API logs every send to E2E_GRAPH_LOG.
 */
test.describe.configure({ mode: 'serial' });

/** Posts a WhatsApp Cloud API webhook, signed with the app secret over the exact bytes sent. */
async function postWhatsAppWebhook(payload: unknown) {
  const raw = JSON.stringify(payload);
  const signature = createHmac('sha256', process.env.E2E_META_APP_SECRET as string)
    .update(raw)
    .digest('hex');
  return fetch(`${apiBase()}/webhook/whatsapp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${signature}` },
    body: raw,
  });
}

/** Every send the fake Graph API received, from its log (one JSON line each). */
function graphSends(): { channel: string; to: string; text: string }[] {
  const lines = readFileSync(process.env.E2E_GRAPH_LOG as string, 'utf8').split('\n');
  return lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
}

const transcriptOf = (page: Page) => page.getByRole('log', { name: 'Transcript' });

test.describe('WhatsApp channel', () => {
  const suffix = Date.now().toString(36);
  const phoneNumberId = String(Date.now()).slice(-12);
  const waId = `3519${String(Date.now()).slice(-8)}`;
  const question = `Olá! Do you deliver to Lisbon? (${suffix})`;
  const agentText = `Hi Maria, Rui here: yes, we deliver in Lisbon on weekdays (${suffix}).`;
  let business: { business_id: string; api_key: string };
  let page: Page;

  test.beforeAll(async ({ browser }) => {
    business = await api('POST', '/api/businesses', adminKey(), {
      business_name: `WhatsApp Bikes ${suffix}`,
      business_description: 'Bicycle shop with home delivery.',
    });
    page = await browser.newPage();
  });
  test.afterAll(async () => {
    await page.close();
  });

  test('the business connects its number on the Channels page and sends a test message', async () => {
    await page.goto('/');
    await signIn(page, business.api_key, business.business_id);
    await openFromNav(page, 'Channels');
    const whatsapp = page.getByRole('region', { name: 'WhatsApp' });
    await expect(whatsapp.getByText('Not connected')).toBeVisible();
    await expect(whatsapp.getByLabel('Callback URL')).toHaveValue(/\/webhook\/whatsapp$/);
    await whatsapp.getByLabel(/Phone number ID/).fill(phoneNumberId);
    await whatsapp.getByLabel(/Access token/).fill('EAAG-e2e-token');
    await whatsapp.getByRole('button', { name: 'Connect' }).click();
    await expect(whatsapp.getByText('Connected', { exact: true })).toBeVisible();
    // The token is write-only: the field is empty again and says a value is stored.
    await expect(whatsapp.getByLabel(/Access token/)).toHaveValue('');

    await whatsapp.getByLabel(/Customer phone number/).fill(waId);
    await whatsapp.getByRole('button', { name: 'Send test' }).click();
    await expect(whatsapp.getByText(new RegExp(`Sent to ${waId}`))).toBeVisible();
    await expect
      .poll(() =>
        graphSends().some((s) => s.channel === 'whatsapp' && s.to === waId && /^Test message/.test(s.text)),
      )
      .toBe(true);
    await shot(page, '40-channels-whatsapp-connected');
  });

  test('a customer writes; the reply goes out through the Graph API and shows as sent', async () => {
    const ack = await postWhatsAppWebhook({
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
                contacts: [{ profile: { name: 'Maria Souza' }, wa_id: waId }],
                messages: [
                  {
                    from: waId,
                    id: `wamid.e2e${suffix}`,
                    timestamp: String(Math.floor(Date.now() / 1000)),
                    type: 'text',
                    text: { body: question },
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    expect(ack.status).toBe(200);
    expect(await ack.json()).toEqual({ status: 'success' });

    // The reply is processed after the acknowledgement and sent to the customer's number.
    await expect.poll(() => graphSends().filter((s) => s.to === waId).length, { timeout: 60_000 }).toBe(2);

    await openFromNav(page, 'Conversations');
    // The customer is shown by the WhatsApp profile name.
    const customer = page
      .getByRole('list', { name: 'Conversations' })
      .getByRole('link', { name: /Maria Souza/ });
    await expect(customer).toBeVisible({ timeout: 60_000 });
    await customer.click();
    const transcript = transcriptOf(page);
    await expect(transcript.getByText(question, { exact: true })).toBeVisible();
    await expect(transcript.getByText('sent ✓', { exact: true })).toBeVisible();
  });

  test("an agent's reply from the dashboard is delivered on WhatsApp", async () => {
    await page.getByRole('textbox', { name: 'Reply to the customer' }).fill(agentText);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(transcriptOf(page).getByText(agentText, { exact: true })).toBeVisible();
    await expect
      .poll(() => graphSends().some((s) => s.to === waId && s.text === agentText), {
        timeout: 60_000,
      })
      .toBe(true);
    await page.reload();
    await expect(transcriptOf(page).getByText('sent ✓', { exact: true })).toHaveCount(2);
    await shot(page, '41-conversation-whatsapp-delivered');
  });
});
