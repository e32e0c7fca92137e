import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { rowsOf } from '../../src/db/raw-rows.js';
import { callApi, type Json } from '../helpers/call-api.js';
import {
  type ConnectedBusiness,
  createConnectedBusiness,
  type MetaApp,
  messagesOf,
  postWebhook,
  startMetaApp,
  uniqueDigits,
  waitFor,
} from '../helpers/meta-app.js';
import { ms, msPayload, wa, waInbound } from '../helpers/meta-fixtures.js';

/**
 * Messenger customers' names (User Profile API), messages the page sends from Meta's own inbox
 * (echoes), typing indicators while the assistant works, over real HTTP with the fake Graph API and
 * the suite's database.
 */
let m: MetaApp;
beforeAll(async () => {
  // Meta's real grace: a test that waited it out would time out.
  m = await startMetaApp({ GRAPH_RECONCILE_MS: '60000' });
});
afterAll(() => m?.close());
beforeEach(() => m.graph.reset());

const customerText = (business: ConnectedBusiness, psid: string, text: string, mid?: string) =>
  msPayload([
    { pageId: business.pageId, messaging: [ms.text(business.pageId, psid, text, mid ? { mid } : {})] },
  ]);

const usersOf = async (business: ConnectedBusiness) =>
  (await callApi(m.t.app, 'GET', '/api/users', business.api_key)).body.users as Json[];

describe('Messenger customer names', () => {
  it('looks a new PSID up once with the page token and names the customer', async () => {
    const business = await createConnectedBusiness(m);
    const psid = `psid-${uniqueDigits()}`;
    m.graph.setProfile(psid, { first_name: 'Ada', last_name: 'Lovelace' });
    // The first lookup fails with a 503: the Graph retry policy applies.
    m.graph.script({ match: (r) => r.kind === 'profile', fault: { status: 503 } });
    expect((await postWebhook(m, 'messenger', customerText(business, psid, 'hello'))).status).toBe(200);
    const [user] = await waitFor(async () => {
      const users = await usersOf(business);
      return users[0]?.first_name ? users : null;
    });
    expect(user).toMatchObject({ first_name: 'Ada', last_name: 'Lovelace', messenger_psid: psid });
    const lookups = m.graph.requests.filter((r) => r.kind === 'profile');
    expect(lookups.map((r) => r.outcome)).toEqual([503, 200]);
    expect(lookups[0]).toMatchObject({
      method: 'GET',
      path: `/${psid}`,
      subject: psid,
      token: business.pageToken,
      query: { fields: 'first_name,last_name' },
    });

    // A known customer is not looked up again.
    await postWebhook(m, 'messenger', customerText(business, psid, 'again'));
    await m.graph.waitForRequests(2, { filter: (r) => r.kind === 'message' && r.to === psid });
    expect(m.graph.requests.filter((r) => r.kind === 'profile')).toHaveLength(2);
  });

  it('leaves the customer nameless when the lookup fails, logs it without the token, still answers', async () => {
    const business = await createConnectedBusiness(m);
    const psid = `psid-${uniqueDigits()}`;
    const warn = vi.spyOn(m.t.app.log, 'warn');
    try {
      // No profile set: Meta's "Unsupported get request" (400, not retried).
      await postWebhook(m, 'messenger', customerText(business, psid, 'who am I'));
      await m.graph.waitForRequests(1, { filter: (r) => r.kind === 'message' && r.to === psid });
      await waitFor(async () =>
        warn.mock.calls.some(([, message]) => /profile lookup failed/.test(String(message))),
      );
      expect(m.graph.requests.filter((r) => r.kind === 'profile' && r.subject === psid)).toHaveLength(1);
      const [user] = await usersOf(business);
      expect(user).toMatchObject({ first_name: '', last_name: '', messenger_psid: psid });
      const logged = JSON.stringify(warn.mock.calls);
      expect(logged).toContain('code 100/33');
      expect(logged).not.toContain(business.pageToken);
    } finally {
      warn.mockRestore();
    }
  });

  it('does not overwrite a name given meanwhile, and a slow Graph never holds the acknowledgement', async () => {
    const business = await createConnectedBusiness(m);
    const psid = `psid-${uniqueDigits()}`;
    m.graph.setProfile(psid, { first_name: 'Graph', last_name: 'Name' });
    // The lookup hangs until the Graph timeout; the webhook is acknowledged regardless.
    m.graph.script({ match: (r) => r.kind === 'profile', fault: { hang: true } });
    expect((await postWebhook(m, 'messenger', customerText(business, psid, 'quick'))).status).toBe(200);
    const [lookup] = await m.graph.waitForRequests(1, { filter: (r) => r.kind === 'profile' });
    expect(lookup?.outcome).toBe('hang');
    const [user] = await usersOf(business);
    const renamed = await callApi(m.t.app, 'PUT', `/api/users/${user?.user_id}`, business.api_key, {
      first_name: 'Agent',
      last_name: 'Given',
    });
    expect(renamed.status).toBe(200);
    // The retry after the timeout succeeds, but the name an agent gave stays.
    await m.graph.waitForRequests(2, { filter: (r) => r.kind === 'profile', timeoutMs: 20_000 });
    await waitFor(async () => m.graph.requests.some((r) => r.kind === 'profile' && r.outcome === 200));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await usersOf(business))[0]).toMatchObject({ first_name: 'Agent', last_name: 'Given' });
  });
});

describe('Messenger echoes', () => {
  it("stores a message sent from Meta's inbox as a delivered agent message, once, never sent or answered", async () => {
    const business = await createConnectedBusiness(m);
    const psid = `psid-${uniqueDigits()}`;
    await postWebhook(m, 'messenger', customerText(business, psid, 'is anyone there'));
    await m.graph.waitForRequests(1, { filter: (r) => r.kind === 'message' && r.to === psid });
    await waitFor(async () =>
      (await messagesOf(m, business, 'messenger')).some((msg) => msg.delivery_status === 'sent'),
    );

    const mid = `m_inbox_${uniqueDigits()}`;
    const echo = msPayload([
      {
        pageId: business.pageId,
        messaging: [ms.echo(business.pageId, psid, 'Hi, Sam from the shop here.', { mid })],
      },
    ]);
    // Meta redelivers: three times at once, then once more.
    const posts = await Promise.all([1, 2, 3].map(() => postWebhook(m, 'messenger', echo)));
    expect(posts.map((p) => p.status)).toEqual([200, 200, 200]);
    expect((await postWebhook(m, 'messenger', echo)).status).toBe(200);

    const all = await messagesOf(m, business, 'messenger');
    expect(all.map((msg) => [msg.sender_type, msg.message_content])).toEqual([
      ['user', 'is anyone there'],
      ['assistant', 'Reply to: is anyone there'],
      ['agent', 'Hi, Sam from the shop here.'],
    ]);
    expect(all[2]).toMatchObject({ delivery_status: 'delivered', external_message_id: mid });
    await m.t.app.drainOutbox?.();
    expect(m.graph.sent('messenger').filter((r) => r.to === psid)).toHaveLength(1);
    expect(m.llm.requests.filter((r) => r.text.includes('Sam from the shop'))).toEqual([]);

    // Our own echoes carry our reference and are not messages: a reply's, and the test message's.
    const [reply] = m.graph.sent('messenger').filter((r) => r.to === psid);
    const reference = ((reply?.body ?? {}) as Json).message?.metadata as string;
    expect(reference).toMatch(/^[0-9a-f-]{36}:0$/);
    const test = await callApi(
      m.t.app,
      'POST',
      `/api/businesses/${business.business_id}/channels/messenger/test`,
      business.api_key,
      { to: psid, text: 'Settings test' },
    );
    expect(test.status).toBe(200);
    const [testSend] = m.graph.sent('messenger').filter((r) => r.text === 'Settings test');
    const testReference = ((testSend?.body ?? {}) as Json).message?.metadata as string;
    expect(testReference).toBeTruthy();
    await postWebhook(
      m,
      'messenger',
      msPayload([
        {
          pageId: business.pageId,
          messaging: [
            ms.echo(business.pageId, psid, reply?.text as string, {
              mid: `m_${uniqueDigits()}`,
              metadata: reference,
            }),
            ms.echo(business.pageId, psid, 'Settings test', {
              mid: testSend?.messageId as string,
              metadata: testReference,
            }),
          ],
        },
      ]),
    );
    expect((await messagesOf(m, business, 'messenger')).length).toBe(3);
  });

  it('starts the transcript of a customer the page wrote to first, without an AI reply', async () => {
    const business = await createConnectedBusiness(m);
    const psid = `psid-${uniqueDigits()}`;
    m.graph.setProfile(psid, { first_name: 'Grace', last_name: 'Hopper' });
    const payload = msPayload([
      { pageId: business.pageId, messaging: [ms.echo(business.pageId, psid, 'Your order has shipped.')] },
    ]);
    expect((await postWebhook(m, 'messenger', payload)).status).toBe(200);
    const all = await messagesOf(m, business, 'messenger');
    expect(all.map((msg) => [msg.sender_type, msg.delivery_status])).toEqual([['agent', 'delivered']]);
    // The new PSID is named like a customer who wrote first.
    await waitFor(async () => (await usersOf(business))[0]?.first_name === 'Grace');
    await m.t.app.drainOutbox?.();
    expect(m.graph.requests.filter((r) => r.kind === 'message' || r.kind === 'typing')).toEqual([]);
  });
});

describe('typing indicators', () => {
  it('shows Messenger typing_on with the page token when a turn starts, before the reply', async () => {
    const business = await createConnectedBusiness(m);
    const psid = `psid-${uniqueDigits()}`;
    // A slow answer: the indicator has time to show.
    m.llm.script({
      match: (r) => r.text.includes('SLOW TYPING') && !r.response_format,
      content: 'Here you are.',
      delayMs: 400,
    });
    await postWebhook(m, 'messenger', customerText(business, psid, 'SLOW TYPING please'));
    const [reply] = await m.graph.waitForRequests(1, {
      filter: (r) => r.kind === 'message' && r.to === psid,
    });
    const mine = m.graph.requests.filter((r) => r.subject === psid && r.kind !== 'profile');
    expect(mine.map((r) => r.kind)).toEqual(['typing', 'message']);
    expect(mine[0]).toMatchObject({
      method: 'POST',
      path: '/me/messages',
      token: business.pageToken,
      to: null,
      outcome: 200,
      body: { recipient: { id: psid }, sender_action: 'typing_on' },
    });
    expect(reply?.text).toBe('Here you are.');
  });

  it('marks a WhatsApp message read with a typing indicator; a failure is not retried and the reply still goes', async () => {
    const business = await createConnectedBusiness(m);
    const waId = uniqueDigits();
    m.llm.script({
      match: (r) => r.text.includes('WA TYPING') && !r.response_format,
      content: 'On it.',
      delayMs: 400,
    });
    const first = waInbound(business.phoneNumberId, { waId }, [wa.text('WA TYPING one')]);
    await postWebhook(m, 'whatsapp', first.payload);
    await m.graph.waitForRequests(1, { filter: (r) => r.kind === 'message' && r.to === waId });
    const [typing] = m.graph.requests.filter((r) => r.kind === 'typing' && r.subject === first.ids[0]);
    expect(typing).toMatchObject({
      path: `/${business.phoneNumberId}/messages`,
      token: business.waToken,
      outcome: 200,
      body: {
        messaging_product: 'whatsapp',
        status: 'read',
        message_id: first.ids[0],
        typing_indicator: { type: 'text' },
      },
    });

    // Meta fails the indicator: one attempt only, and the turn and its reply are unaffected.
    m.graph.script({ match: (r) => r.kind === 'typing', fault: { status: 500 }, times: 5 });
    const second = waInbound(business.phoneNumberId, { waId }, [wa.text('WA TYPING two')]);
    await postWebhook(m, 'whatsapp', second.payload);
    await m.graph.waitForRequests(2, { filter: (r) => r.kind === 'message' && r.to === waId });
    await m.t.app.drainOutbox?.();
    expect(m.graph.requests.filter((r) => r.kind === 'typing' && r.subject === second.ids[0])).toHaveLength(
      1,
    );
    expect(m.graph.requests.find((r) => r.subject === second.ids[0])?.outcome).toBe(500);
  });

  it('shows nothing while the AI is stopped', async () => {
    const business = await createConnectedBusiness(m);
    const psid = `psid-${uniqueDigits()}`;
    await postWebhook(m, 'messenger', customerText(business, psid, 'first'));
    await m.graph.waitForRequests(1, { filter: (r) => r.kind === 'message' && r.to === psid });
    const [conversation] = (await callApi(m.t.app, 'GET', '/api/conversations', business.api_key)).body
      .conversations as Json[];
    await callApi(
      m.t.app,
      'POST',
      `/api/conversations/${conversation?.conversation_id}/ai-control`,
      business.api_key,
      {
        action: 'stop',
      },
    );
    const typingBefore = m.graph.requests.filter((r) => r.kind === 'typing' && r.subject === psid).length;
    await postWebhook(m, 'messenger', customerText(business, psid, 'second, nobody answers'));
    await waitFor(async () =>
      (await messagesOf(m, business, 'messenger')).some((msg) => msg.status === 'skipped'),
    );
    expect(m.graph.requests.filter((r) => r.kind === 'typing' && r.subject === psid)).toHaveLength(
      typingBefore,
    );
  });
});

describe('an uncertain part', () => {
  it("holds only its conversation's later parts and replies, and releases them when Meta confirms it", async () => {
    const business = await createConnectedBusiness(m);
    const psid = `psid-${uniqueDigits()}`;
    const other = `psid-${uniqueDigits()}`;
    const long = `${'First half of a long answer. '.repeat(70).trim()} ${'Second half follows here. '.repeat(70).trim()}`;
    m.llm.script({ match: (r) => r.text.includes('LONG UNCERTAIN') && !r.response_format, content: long });
    // Part 0 reaches Meta but its answer is lost (timeout): it is uncertain for GRAPH_RECONCILE_MS.
    m.graph.script({ match: (r) => r.kind === 'message' && r.to === psid, fault: { hang: true } });
    await postWebhook(m, 'messenger', customerText(business, psid, 'LONG UNCERTAIN'));
    const [lost] = await m.graph.waitForRequests(1, { filter: (r) => r.kind === 'message' && r.to === psid });
    const reference = ((lost?.body ?? {}) as Json).message?.metadata as string;
    const replyId = reference.split(':')[0] as string;
    await waitFor(async () => {
      const result = await m.t.database.db.execute(
        sql`SELECT last_error FROM message_deliveries WHERE message_id = ${replyId}`,
      );
      return rowsOf(result)[0]?.last_error;
    });
    // Meanwhile: an agent reply in the same conversation waits behind it; another customer does not.
    const [conversation] = (await callApi(m.t.app, 'GET', '/api/conversations', business.api_key)).body
      .conversations as Json[];
    const agent = await callApi(
      m.t.app,
      'POST',
      `/api/conversations/${conversation?.conversation_id}/agent-reply`,
      business.api_key,
      { content: 'Agent follow-up.' },
    );
    expect(agent.status).toBe(201);
    await postWebhook(m, 'messenger', customerText(business, other, 'unrelated question'));
    await m.graph.waitForRequests(1, { filter: (r) => r.kind === 'message' && r.to === other });
    await m.t.app.drainOutbox?.();
    expect(m.graph.requests.filter((r) => r.kind === 'message' && r.to === psid)).toHaveLength(1);

    // The echo of part 0 (our reference) confirms it: the rest goes out now, in order, long before
    // the grace would have ended, and part 0 is not sent again.
    const echo = ms.echo(business.pageId, psid, lost?.text as string, {
      mid: 'm_part0_confirmed',
      metadata: reference,
    });
    await postWebhook(m, 'messenger', msPayload([{ pageId: business.pageId, messaging: [echo] }]));
    await m.graph.waitForRequests(1, {
      filter: (r) => r.kind === 'message' && r.text === 'Agent follow-up.',
    });
    const texts = m.graph.requests
      .filter((r) => r.kind === 'message' && r.to === psid && r.outcome === 200)
      .map((r) => r.text as string);
    // The rest of the reply, then the agent's reply; part 0 only once (the lost send).
    expect(texts.at(-1)).toBe('Agent follow-up.');
    expect(texts.length).toBeGreaterThanOrEqual(2);
    expect([lost?.text, ...texts.slice(0, -1)].join(' ')).toBe(long);
    const transcript = await messagesOf(m, business, 'messenger');
    const reply = transcript.find((msg) => msg.message_id === replyId);
    expect(reply).toMatchObject({ delivery_status: 'sent', external_message_id: 'm_part0_confirmed' });
  });
});
