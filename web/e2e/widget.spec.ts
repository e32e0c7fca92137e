import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, type Page, test } from '@playwright/test';
import { adminKey, api, apiBase, shot, signIn } from './support';

/**
 * The website widget on a customer's site: a static page served from ANOTHER origin (its own HTTP
 * server on another port) embeds `{server}/widget.js`. The business enables its web channel for that
 * origin through the API; a visitor chats and sees a streamed reply; an agent answers from the
 * dashboard and the reply appears live; after a reload the history is back. Phone-sized (390 px).
 */
test.describe.configure({ mode: 'serial' });

/** A shop page whose CSS tries hard to break embedded widgets. */
const shopPage = (key: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Trattoria Lisboa</title>
<style>
  * { font-family: "Comic Sans MS", cursive !important; color: #c00 !important; }
  button { display: none !important; }
  div, section, ol, li { border: 5px dashed orange; }
</style></head>
<body><h1>Trattoria Lisboa</h1><p>Fresh pasta every evening.</p>
<script src="${apiBase()}/widget.js" data-key="${key}" async></script>
</body></html>`;

test.describe('website widget', () => {
  const suffix = Date.now().toString(36);
  const question = `Do you have a table for two tonight? (${suffix})`;
  const agentText = `Hi, this is Marco: yes, table 4 is yours at 20:00 (${suffix}).`;
  let shop: Server;
  let shopOrigin = '';
  let business: { business_id: string; api_key: string };
  let publishableKey = '';
  let page: Page;

  test.beforeAll(async ({ browser }) => {
    business = await api('POST', '/api/businesses', adminKey(), {
      business_name: `Widget Trattoria ${suffix}`,
      business_description: 'Italian restaurant in Lisbon.',
    });
    shop = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(shopPage(publishableKey));
    });
    await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
    shopOrigin = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`; // another port: another origin
    expect(new URL(shopOrigin).origin).not.toBe(new URL(apiBase()).origin);
    const web = await api('PUT', `/api/businesses/${business.business_id}/channels/web`, business.api_key, {
      enabled: true,
      allowed_origins: [shopOrigin],
      title: 'Trattoria Lisboa',
      greeting: 'Ciao! Ask us anything.',
      color: '#0a7d33',
    });
    publishableKey = web.publishable_key;
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true });
    page = await context.newPage();
  });

  test.afterAll(async () => {
    await page?.context().close();
    await new Promise((resolve) => shop?.close(resolve));
  });

  test('a visitor chats from another origin and sees the reply stream in', async () => {
    await page.goto(shopOrigin);
    const launcher = page.getByRole('button', { name: /^Open chat: Trattoria Lisboa/ });
    await expect(launcher).toBeVisible(); // the shop's `button {display:none !important}` does not reach it
    await shot(page, 'widget-01-launcher-390');

    await launcher.click();
    const dialog = page.getByRole('dialog', { name: 'Trattoria Lisboa' });
    await expect(dialog).toBeVisible();
    const input = dialog.getByLabel('Your message');
    await expect(input).toBeFocused();
    await expect(dialog.getByRole('log', { name: 'Messages' })).toContainText('Ciao! Ask us anything.');
    const box = await dialog.boundingBox();
    expect(box?.width).toBe(390); // full screen on a phone

    const streamed = page.waitForResponse(
      (r) => r.url().endsWith('/api/widget/messages') && r.request().method() === 'POST',
    );
    await input.fill(question);
    await input.press('Enter');
    const response = await streamed;
    expect(response.headers()['content-type']).toMatch(/text\/event-stream/);
    expect(await response.text()).toMatch(/event: token[\s\S]*event: done/);
    const log = dialog.getByRole('log', { name: 'Messages' });
    await expect(log).toContainText(question);
    await expect(log).toContainText('Thanks for your message');
    await expect(input).toHaveValue('');
    const stored = await page.evaluate((key) => localStorage.getItem(`icmp-widget:${key}`), publishableKey);
    expect(stored).toMatch(/^wvt_/);
    await shot(page, 'widget-02-streamed-reply-390');
  });

  test('an agent answers from the dashboard and the reply appears live', async ({ browser }) => {
    const list = await api(
      'GET',
      `/api/conversations?business_id=${business.business_id}&channel=web`,
      business.api_key,
    );
    expect(list.conversations).toHaveLength(1);
    const conversationId = list.conversations[0].conversation_id as string;

    const dashboard = await browser.newContext({ baseURL: apiBase() });
    try {
      const agentPage = await dashboard.newPage();
      await agentPage.goto('/');
      await signIn(agentPage, business.api_key, business.business_id);
      await expect(agentPage.getByRole('button', { name: 'Sign out', exact: true })).toBeVisible();
      await agentPage.goto(`/conversations/${conversationId}`);
      const transcript = agentPage.getByRole('log', { name: 'Transcript' });
      await expect(transcript).toContainText(question);
      await agentPage.getByRole('textbox', { name: 'Reply to the customer' }).fill(agentText);
      await agentPage.getByRole('button', { name: 'Send', exact: true }).click();
      await expect(transcript.getByRole('listitem', { name: 'Human agent message' })).toContainText(
        agentText,
      );
    } finally {
      await dashboard.close();
    }

    const log = page.getByRole('log', { name: 'Messages' });
    await expect(log).toContainText(agentText);
    await shot(page, 'widget-03-agent-reply-live-390');
  });

  test('after a reload the conversation is back; Escape closes and focus returns', async () => {
    await page.reload();
    const launcher = page.getByRole('button', { name: /^Open chat: Trattoria Lisboa/ });
    await launcher.click();
    const log = page.getByRole('log', { name: 'Messages' });
    await expect(log).toContainText(question);
    await expect(log).toContainText('Thanks for your message');
    await expect(log).toContainText(agentText);
    await expect(log.getByRole('listitem')).toHaveCount(4); // greeting, question, reply, agent
    await shot(page, 'widget-04-history-after-reload-390');

    await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog', { name: 'Trattoria Lisboa' })).toBeHidden();
    await expect(launcher).toBeFocused();
    await expect(launcher).toHaveAttribute('aria-expanded', 'false');
  });
});
