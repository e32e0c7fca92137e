import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, type Json } from '../helpers/call-api.js';
import {
  conversationsOf,
  createConnectedBusiness,
  type MetaApp,
  messagesOf,
  postWebhook,
  startMetaApp,
  uniqueDigits,
  VERIFY_TOKEN,
  waitFor,
} from '../helpers/meta-app.js';
import { ms, msPayload, wa, waChange, waInbound, waMessage, waPayload } from '../helpers/meta-fixtures.js';
import { signMetaBody } from '../helpers/meta-signing.js';

/** Webhook reception over real HTTP: handshake, signatures, batches, duplicates and bad input. */
let m: MetaApp;
beforeAll(async () => {
  m = await startMetaApp();
});
afterAll(() => m?.close());

const userMessages = async (business: Parameters<typeof messagesOf>[1], channel: string) =>
  (await messagesOf(m, business, channel)).filter((msg) => msg.sender_type === 'user');

describe('verification handshake', () => {
  const verify = (channel: string, token: string, mode = 'subscribe') =>
    fetch(
      `${m.baseUrl}/webhook/${channel}?hub.mode=${mode}&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=1158201444`,
    );

  it('echoes the challenge as text for META_VERIFY_TOKEN and for a business verify token', async () => {
    const business = await createConnectedBusiness(m, { verifyToken: 'shop-own-token' });
    expect(business.phoneNumberId).toBeTruthy();
    for (const channel of ['whatsapp', 'messenger']) {
      for (const token of [VERIFY_TOKEN, 'shop-own-token']) {
        const response = await verify(channel, token);
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
        expect(await response.text()).toBe('1158201444');
      }
    }
  });

  it('refuses a wrong token or mode with 403 and the error envelope', async () => {
    for (const [token, mode] of [
      ['nope', 'subscribe'],
      [VERIFY_TOKEN, 'unsubscribe'],
      ['', 'subscribe'],
    ]) {
      const response = await verify('whatsapp', token as string, mode);
      expect(response.status).toBe(403);
      expect(((await response.json()) as Json).error.code).toBe('AUTHORIZATION_ERROR');
    }
  });
});

describe('signatures', () => {
  it('refuses a missing, bad, wrong-secret or altered-body signature and stores nothing', async () => {
    const business = await createConnectedBusiness(m);
    const { payload } = waInbound(business.phoneNumberId, { waId: uniqueDigits() }, [wa.text('sneaky')]);
    const body = JSON.stringify(payload);
    const cases = [
      { options: { secret: null }, status: 401 },
      { options: { signature: 'sha256=deadbeef' }, status: 403 },
      { options: { signature: signMetaBody(body, 'wrong-secret') }, status: 403 },
      {
        options: {
          signature: signMetaBody(body, 'test-meta-app-secret'),
          raw: body.replace('sneaky', 'SNEAKY'),
        },
        status: 403,
      },
    ];
    for (const { options, status } of cases) {
      const response = await postWebhook(m, 'whatsapp', payload, options);
      expect(response.status).toBe(status);
      expect(response.body?.error?.code).toBe(
        status === 401 ? 'AUTHENTICATION_ERROR' : 'AUTHORIZATION_ERROR',
      );
    }
    expect(await userMessages(business, 'whatsapp')).toEqual([]);
    expect(m.llm.requests.filter((r) => r.text.includes('sneaky'))).toEqual([]);
  });

  it("accepts a business's own app secret for its entries only; with no secret to check, refuses", async () => {
    const own = await createConnectedBusiness(m, { appSecret: 'business-own-secret' });
    const other = await createConnectedBusiness(m);
    const waId = uniqueDigits();
    const payload = waPayload([
      {
        changes: [
          waChange({
            phoneNumberId: own.phoneNumberId,
            contacts: [{ waId }],
            messages: [waMessage(waId, wa.text('to own'))],
          }),
        ],
      },
      {
        changes: [
          waChange({
            phoneNumberId: other.phoneNumberId,
            contacts: [{ waId }],
            messages: [waMessage(waId, wa.text('to other'))],
          }),
        ],
      },
    ]);
    // Signed with the business's secret: its entry is stored, the other business's entry is not.
    expect((await postWebhook(m, 'whatsapp', payload, { secret: 'business-own-secret' })).status).toBe(200);
    await waitFor(async () => (await userMessages(own, 'whatsapp')).length === 1, 10_000, 'own entry');
    expect(await userMessages(other, 'whatsapp')).toEqual([]);
    // Signed with META_APP_SECRET: the business with its own secret ignores it, the other takes it.
    expect((await postWebhook(m, 'whatsapp', payload)).status).toBe(200);
    await waitFor(async () => (await userMessages(other, 'whatsapp')).length === 1, 10_000, 'other entry');
    expect((await userMessages(own, 'whatsapp')).map((msg) => msg.message_content)).toEqual(['to own']);
  });
});

describe('bad input', () => {
  it('answers malformed JSON that is correctly signed with 400', async () => {
    const response = await postWebhook(m, 'messenger', null, { raw: '{"object":"page","entry":[' });
    expect(response.status).toBe(400);
    expect(response.body?.error.code).toBe('VALIDATION_ERROR');
  });

  it('acknowledges an empty entry list and an unknown phone number or page, storing nothing', async () => {
    expect(
      (await postWebhook(m, 'whatsapp', { object: 'whatsapp_business_account', entry: [] })).body,
    ).toEqual({ status: 'success' });
    expect((await postWebhook(m, 'messenger', { object: 'page', entry: [] })).status).toBe(200);
    const unknownWa = waInbound('999000999', { waId: uniqueDigits() }, [wa.text('anyone there?')]);
    expect((await postWebhook(m, 'whatsapp', unknownWa.payload)).body).toEqual({ status: 'success' });
    const unknownPage = msPayload([
      { pageId: '888000888', messaging: [ms.text('888000888', 'psid-x', 'hello page?')] },
    ]);
    expect((await postWebhook(m, 'messenger', unknownPage)).status).toBe(200);
    expect(m.llm.requests.filter((r) => /anyone there|hello page/.test(r.text))).toEqual([]);
  });

  it('stores a text with a NUL or a lone surrogate as PostgreSQL can, with the rest of its batch', async () => {
    // PostgreSQL text cannot hold U+0000: refusing the delivery would make Meta redeliver the whole
    // batch for days, and lose it in the end.
    const business = await createConnectedBusiness(m);
    const waId = uniqueDigits();
    const batch = waInbound(business.phoneNumberId, { waId }, [
      wa.text('first\u0000 one'),
      wa.text('second \ud800 one'),
    ]);
    expect((await postWebhook(m, 'whatsapp', batch.payload)).body).toEqual({ status: 'success' });
    await waitFor(
      async () => (await userMessages(business, 'whatsapp')).length === 2,
      10_000,
      'both messages',
    );
    expect((await userMessages(business, 'whatsapp')).map((msg) => msg.message_content)).toEqual([
      'first one',
      'second \ufffd one',
    ]);
  });

  it('takes a payload just under 1 MiB and refuses one over it with 413', async () => {
    const business = await createConnectedBusiness(m);
    const waId = uniqueDigits();
    const big = waInbound(business.phoneNumberId, { waId }, [wa.text('big one')]);
    // Meta adds fields we do not read; pad with one so the body is ~1 MiB.
    const padded = {
      ...big.payload,
      padding: 'x'.repeat(1024 * 1024 - JSON.stringify(big.payload).length - 200),
    };
    expect((await postWebhook(m, 'whatsapp', padded)).status).toBe(200);
    await waitFor(async () => (await userMessages(business, 'whatsapp')).length === 1, 10_000, 'big message');
    const tooBig = { ...big.payload, padding: 'x'.repeat(1024 * 1024 + 10) };
    const refused = await postWebhook(m, 'whatsapp', tooBig);
    expect(refused.status).toBe(413);
    expect(refused.body?.error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('batches and duplicates', () => {
  it('stores a batch of 50 messages from 5 customers in timestamp order, one user per identity', async () => {
    const business = await createConnectedBusiness(m);
    const customers = Array.from({ length: 5 }, (_, i) => ({ waId: uniqueDigits(), name: `Cust ${i} Omer` }));
    const start = Date.now() - 60_000;
    const messages = Array.from({ length: 50 }, (_, i) => {
      const customer = customers[i % 5] as { waId: string };
      return waMessage(customer.waId, wa.text(`msg ${i}`), { at: start + i * 1000 });
    });
    messages.reverse(); // Meta's order in the array is not the timestamp order
    const payload = waPayload([
      { changes: [waChange({ phoneNumberId: business.phoneNumberId, contacts: customers, messages })] },
    ]);
    const response = await postWebhook(m, 'whatsapp', payload);
    expect(response.status).toBe(200);
    // Durably stored before the acknowledgement.
    const stored = await userMessages(business, 'whatsapp');
    expect(stored).toHaveLength(50);
    const users = await callApi(m.t.app, 'GET', '/api/users?per_page=100', business.api_key);
    expect(users.body.users.map((u: Json) => `${u.first_name} ${u.last_name}`).sort()).toEqual(
      customers.map((c) => c.name).sort(),
    );
    const conversations = await messagesOf(m, business, 'whatsapp');
    for (const customerIndex of [0, 1, 2, 3, 4]) {
      const own = conversations
        .filter(
          (msg) =>
            msg.sender_type === 'user' && Number(msg.message_content.split(' ')[1]) % 5 === customerIndex,
        )
        .map((msg) => msg.message_content);
      expect(own).toEqual(
        own.slice().sort((a: string, b: string) => Number(a.split(' ')[1]) - Number(b.split(' ')[1])),
      );
      expect(own).toHaveLength(10);
    }
  });

  it('stores and answers the same delivery sent 5× at once exactly once', async () => {
    const business = await createConnectedBusiness(m);
    const waId = uniqueDigits();
    const { payload } = waInbound(business.phoneNumberId, { waId, name: 'Dup Licate' }, [
      wa.text('only once please'),
    ]);
    const responses = await Promise.all(Array.from({ length: 5 }, () => postWebhook(m, 'whatsapp', payload)));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    await m.graph.waitForRequests(1, { filter: (r) => r.to === waId });
    await m.t.app.drainOutbox?.();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(m.graph.requests.filter((r) => r.to === waId)).toHaveLength(1);
    const conversations = (await messagesOf(m, business, 'whatsapp')).map((msg) => [
      msg.sender_type,
      msg.message_content,
    ]);
    expect(conversations).toEqual([
      ['user', 'only once please'],
      ['assistant', 'Reply to: only once please'],
    ]);
    const users = await callApi(m.t.app, 'GET', '/api/users', business.api_key);
    expect(users.body.total).toBe(1);
  });

  it("a returning customer's messages join their conversation; a new profile name renames them; a late redelivery stores nothing", async () => {
    const business = await createConnectedBusiness(m);
    const waId = uniqueDigits();
    const first = waInbound(business.phoneNumberId, { waId, name: 'Ana Maria Silva' }, [wa.text('hello')]);
    expect((await postWebhook(m, 'whatsapp', first.payload)).status).toBe(200);
    const second = waInbound(business.phoneNumberId, { waId, name: 'Ana Maria Silva' }, [wa.text('again')]);
    expect((await postWebhook(m, 'whatsapp', second.payload)).status).toBe(200);
    const renamed = waInbound(business.phoneNumberId, { waId, name: 'Ana Costa' }, [wa.text('new name')]);
    expect((await postWebhook(m, 'whatsapp', renamed.payload)).status).toBe(200);
    expect((await postWebhook(m, 'whatsapp', second.payload)).status).toBe(200);

    const stored = await userMessages(business, 'whatsapp');
    expect(stored.map((msg) => msg.message_content)).toEqual(['hello', 'again', 'new name']);
    expect(new Set(stored.map((msg) => msg.conversation_id)).size).toBe(1);
    const users = await callApi(m.t.app, 'GET', '/api/users', business.api_key);
    expect(users.body.users.map((u: Json) => [u.first_name, u.last_name])).toEqual([['Ana', 'Costa']]);
  });

  it('a customer another process stored, or whose conversation was closed, is stored in the right conversation', async () => {
    const other = await startMetaApp({}, { database: m.t.database });
    try {
      const business = await createConnectedBusiness(m);
      const waId = uniqueDigits();
      const send = (app: MetaApp, name: string, text: string) =>
        postWebhook(
          app,
          'whatsapp',
          waInbound(business.phoneNumberId, { waId, name }, [wa.text(text)]).payload,
        );
      expect((await send(m, 'Ana Silva', 'first here')).status).toBe(200);
      // Unknown to the other process: its first statement finds the customer existing, not new.
      expect((await send(other, 'Ana Costa', 'then there')).status).toBe(200);
      const redelivered = waInbound(business.phoneNumberId, { waId, name: 'Ana Costa' }, [wa.text('twice')]);
      expect((await postWebhook(other, 'whatsapp', redelivered.payload)).status).toBe(200);
      expect((await postWebhook(m, 'whatsapp', redelivered.payload)).status).toBe(200);
      const [conversation] = await conversationsOf(m, business, 'whatsapp');
      const id = conversation?.conversation.conversation_id;
      const closed = await callApi(m.t.app, 'PATCH', `/api/conversations/${id}`, business.api_key, {
        status: 'closed',
      });
      expect(closed.status).toBe(200);
      // Known to this process, but with no active conversation: a new one is started.
      expect((await send(m, 'Ana Costa', 'back again')).status).toBe(200);

      const conversations = await conversationsOf(m, business, 'whatsapp');
      const texts = conversations.map((c) =>
        (c.messages as Json[]).filter((msg) => msg.sender_type === 'user').map((msg) => msg.message_content),
      );
      expect(texts.sort((a, b) => a.length - b.length)).toEqual([
        ['back again'],
        ['first here', 'then there', 'twice'],
      ]);
      const users = await callApi(m.t.app, 'GET', '/api/users', business.api_key);
      expect(users.body.users.map((u: Json) => [u.first_name, u.last_name])).toEqual([['Ana', 'Costa']]);
    } finally {
      await other.close();
    }
  });

  it('handles several pages and messaging events in one Messenger payload; echoes of our sends are not messages', async () => {
    const a = await createConnectedBusiness(m);
    const b = await createConnectedBusiness(m);
    const ours = { metadata: '00000000-0000-4000-8000-000000000000:0' };
    const payload = msPayload([
      {
        pageId: a.pageId,
        messaging: [ms.text(a.pageId, 'psid-a', 'hi A'), ms.echo(a.pageId, 'psid-a', 'an echo', ours)],
      },
      { pageId: b.pageId, messaging: [ms.postback(b.pageId, 'psid-b', 'Get Started', 'GET_STARTED')] },
    ]);
    expect((await postWebhook(m, 'messenger', payload)).status).toBe(200);
    expect((await userMessages(a, 'messenger')).map((msg) => msg.message_content)).toEqual(['hi A']);
    const stored = await messagesOf(m, a, 'messenger');
    expect(stored.some((msg) => msg.message_content === 'an echo')).toBe(false);
    expect((await userMessages(b, 'messenger')).map((msg) => msg.message_content)).toEqual(['Get Started']);
  });
});

describe('non-text messages', () => {
  it('stores images, locations and documents readably; answers button and list replies like text', async () => {
    const business = await createConnectedBusiness(m);
    const waId = uniqueDigits();
    const { payload } = waInbound(business.phoneNumberId, { waId }, [
      wa.image('my receipt'),
      wa.location(38.72, -9.14, 'Office'),
      wa.buttonReply('yes', 'Yes, book it'),
      wa.listReply('row-2', 'Tuesday 10:00'),
    ]);
    expect((await postWebhook(m, 'whatsapp', payload)).status).toBe(200);
    await m.graph.waitForRequests(4, { filter: (r) => r.to === waId });
    const sent = m.graph.requests.filter((r) => r.to === waId).map((r) => r.text);
    expect(sent).toEqual([
      'Reply to: [image] my receipt',
      'Reply to: [location] 38.72,-9.14 Office',
      'Reply to: Yes, book it',
      'Reply to: Tuesday 10:00',
    ]);
    const stored = await userMessages(business, 'whatsapp');
    expect(stored.map((msg) => msg.message_content)).toEqual([
      '[image] my receipt',
      '[location] 38.72,-9.14 Office',
      'Yes, book it',
      'Tuesday 10:00',
    ]);
  });
});
