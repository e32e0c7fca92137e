import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/raw-rows.js';
import {
  advanceDeliveryStatus,
  claimDueDeliveries,
} from '../../src/modules/channels/meta/deliveries.repository.js';
import type { StatusEvent } from '../../src/modules/channels/meta/meta-types.js';
import { callApi, type Json } from '../helpers/call-api.js';
import type { GraphRequest } from '../helpers/fake-graph-api.js';
import {
  createConnectedBusiness,
  type MetaApp,
  messagesOf,
  postWebhook,
  startMetaApp,
  uniqueDigits,
  waitFor,
} from '../helpers/meta-app.js';
import { ms, msPayload, wa, waChange, waInbound, waPayload, waStatus } from '../helpers/meta-fixtures.js';
import { rowsReadBy } from '../helpers/rows-read.js';

/**
 * Webhook → LLM (fake server) → Graph API send (fake server), over real HTTP, on the suite's database
 * (PGlite, or PostgreSQL with DATABASE_URL): replies, statuses, retries, failures, agent replies.
 */
let m: MetaApp;
beforeAll(async () => {
  // A reconcile grace long enough for the test to post the status webhook inside it.
  m = await startMetaApp({ GRAPH_RECONCILE_MS: '3000' });
});
afterAll(() => m?.close());
beforeEach(() => m.graph.reset());

const assistantMessages = async (business: Parameters<typeof messagesOf>[1], channel: string) =>
  (await messagesOf(m, business, channel)).filter((msg) => msg.sender_type !== 'user');

const waitForDelivery = (
  business: Parameters<typeof messagesOf>[1],
  channel: string,
  status: string,
  count = 1,
) =>
  waitFor(
    async () => {
      const out = (await assistantMessages(business, channel)).filter(
        (msg) => msg.delivery_status === status,
      );
      return out.length >= count ? out : null;
    },
    15_000,
    `${count} ${channel} message(s) ${status}`,
  );

describe('WhatsApp end to end', () => {
  it('answers a customer through the Graph API and follows the status webhooks', async () => {
    const business = await createConnectedBusiness(m);
    const waId = uniqueDigits();
    const { payload } = waInbound(business.phoneNumberId, { waId, name: 'Ana Maria Silva' }, [
      wa.text('Do you ship to Porto?'),
    ]);
    const ack = await postWebhook(m, 'whatsapp', payload);
    expect(ack).toMatchObject({ status: 200, body: { status: 'success' } });

    const [send] = await m.graph.waitForRequests(1, { filter: (r) => r.to === waId });
    expect(send).toMatchObject({
      phoneNumberId: business.phoneNumberId,
      token: business.waToken,
      text: 'Reply to: Do you ship to Porto?',
    });
    expect(send?.body).toMatchObject({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: waId,
      type: 'text',
    });
    const [reply] = await waitForDelivery(business, 'whatsapp', 'sent');
    expect(reply).toMatchObject({
      sender_type: 'assistant',
      external_message_id: send?.messageId,
      channel: 'whatsapp',
    });

    const users = await callApi(m.t.app, 'GET', '/api/users', business.api_key);
    expect(users.body.users[0]).toMatchObject({ first_name: 'Ana', last_name: 'Maria Silva' });

    for (const status of ['delivered', 'read', 'delivered'] as const) {
      const statusPayload = waPayload([
        {
          changes: [
            waChange({
              phoneNumberId: business.phoneNumberId,
              statuses: [waStatus(send?.messageId as string, status, { recipientId: waId })],
            }),
          ],
        },
      ]);
      expect((await postWebhook(m, 'whatsapp', statusPayload)).status).toBe(200);
    }
    // A late "delivered" does not undo "read".
    const [read] = await waitForDelivery(business, 'whatsapp', 'read');
    expect(read?.delivery_error).toBeNull();
  });

  it('marks a reply failed with the reason when a failed status arrives', async () => {
    const business = await createConnectedBusiness(m);
    const waId = uniqueDigits();
    await postWebhook(m, 'whatsapp', waInbound(business.phoneNumberId, { waId }, [wa.text('hello')]).payload);
    const [send] = await m.graph.waitForRequests(1, { filter: (r) => r.to === waId });
    await waitForDelivery(business, 'whatsapp', 'sent');
    const failed = waStatus(send?.messageId as string, 'failed', {
      recipientId: waId,
      error: {
        code: 131026,
        title: 'Message undeliverable',
        details: 'Receiver is incapable of receiving this message',
      },
    });
    await postWebhook(
      m,
      'whatsapp',
      waPayload([{ changes: [waChange({ phoneNumberId: business.phoneNumberId, statuses: [failed] })] }]),
    );
    const [reply] = await waitForDelivery(business, 'whatsapp', 'failed');
    expect(reply?.delivery_error).toMatch(/Message undeliverable — Receiver is incapable/);
  });

  it('delivered and read change no column an index or trigger of messages reads; a reply stored delivered before 0027 moves on', async () => {
    const business = await createConnectedBusiness(m);
    const waId = uniqueDigits();
    await postWebhook(m, 'whatsapp', waInbound(business.phoneNumberId, { waId }, [wa.text('hello')]).payload);
    const [send] = await m.graph.waitForRequests(1, { filter: (r) => r.to === waId });
    const [reply] = await waitForDelivery(business, 'whatsapp', 'sent');
    const db = m.t.database.db;
    const stored = async () =>
      rowsOf(
        await db.execute(
          sql`SELECT to_jsonb(m) AS row FROM messages m WHERE message_id = ${reply?.message_id}`,
        ),
      )[0]?.row as Record<string, unknown>;
    // Every index definition and trigger of the table: a column named there, changed, costs an entry in
    // every index (no HOT update), the trigram GIN over the text included.
    const definitions = rowsOf(
      await db.execute(sql`
        SELECT indexdef AS def FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'messages'
        UNION ALL
        SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t
         WHERE t.tgrelid = 'messages'::regclass AND NOT t.tgisinternal`),
    ).map((row) => String(row.def));
    expect(definitions.filter((def) => /\bstatus\b/.test(def)).length).toBeGreaterThan(0);
    expect(definitions.filter((def) => /\breceipt\b/.test(def))).toEqual([]);
    const report = async (value: 'delivered' | 'read') => {
      const statuses = [waStatus(send?.messageId as string, value, { recipientId: waId })];
      const payload = waPayload([
        { changes: [waChange({ phoneNumberId: business.phoneNumberId, statuses })] },
      ]);
      expect((await postWebhook(m, 'whatsapp', payload)).status).toBe(200);
      await waitForDelivery(business, 'whatsapp', value);
    };
    for (const value of ['delivered', 'read'] as const) {
      const before = await stored();
      await report(value);
      const after = await stored();
      const changed = Object.keys(after).filter(
        (key) => JSON.stringify(after[key]) !== JSON.stringify(before[key]),
      );
      expect(changed).toEqual(['receipt']);
    }

    // Written before 0027, a delivered reply kept it in `status`: it still reads delivered, and moves on.
    await db.execute(
      sql`UPDATE messages SET status = 'delivered', receipt = NULL WHERE message_id = ${reply?.message_id}`,
    );
    expect((await assistantMessages(business, 'whatsapp'))[0]).toMatchObject({
      status: 'delivered',
      delivery_status: 'delivered',
    });
    await report('read');
    expect((await assistantMessages(business, 'whatsapp'))[0]).toMatchObject({
      status: 'read',
      delivery_status: 'read',
    });
  });

  it('a message costs four statements from the webhook to the recorded send, a first contact too', async () => {
    const business = await createConnectedBusiness(m);
    const sends = (waId: string, count: number) =>
      m.graph.waitForRequests(count, { filter: (r) => r.to === waId && r.text !== undefined });
    const post = async (waId: string, text: string) => {
      const { payload } = waInbound(business.phoneNumberId, { waId, name: 'Rui Costa' }, [wa.text(text)]);
      expect(await postWebhook(m, 'whatsapp', payload)).toMatchObject({ status: 200 });
    };
    // Each window runs from one reply reaching the Graph API to the next, so it holds the previous
    // reply's recorded send (the statement after its Graph call) and a whole message but that record.
    // Background work (the outbox poll, the rollups' fold) shows in some windows: the fewest of four.
    const fewest = async (round: (index: number) => Promise<void>) => {
      const counts: number[] = [];
      for (const index of [0, 1, 2, 3]) {
        const before = m.t.database.statementCount();
        await round(index);
        counts.push(m.t.database.statementCount() - before);
      }
      return Math.min(...counts);
    };
    // New customers: the customer, the conversation (leased) and the message in one statement, the
    // turn's write, the claim marking the part in flight (and the previous reply's record).
    const newCustomers = [uniqueDigits(), uniqueDigits(), uniqueDigits(), uniqueDigits()];
    expect(
      await fewest(async (index) => {
        const waId = newCustomers[index] as string;
        await post(waId, 'first');
        await sends(waId, 1);
      }),
    ).toBe(4);
    // A returning customer: the message stored with the conversation's lease, the turn's write, the
    // claim (and the previous reply's record). No lease, history or typing-target read, no empty claim.
    const waId = newCustomers[0] as string;
    const texts = ['two', 'three', 'four', 'five'];
    expect(
      await fewest(async (index) => {
        await post(waId, texts[index] as string);
        await sends(waId, index + 2);
      }),
    ).toBe(4);
    const replies = await waitForDelivery(business, 'whatsapp', 'sent', 8);
    expect(replies.map((reply) => reply.message_content).sort()).toEqual(
      [...Array(4).fill('first'), ...texts].map((text) => `Reply to: ${text}`).sort(),
    );
  });

  it('a status webhook for a recorded reply costs one statement, its sent none; a later part is found by its Graph id', async () => {
    const business = await createConnectedBusiness(m);
    const waId = uniqueDigits();
    const sentence = 'We deliver to Porto on Tuesdays and Fridays, before noon. ';
    m.llm.script({
      match: (r) => r.text.includes('TWO PARTS') && !r.response_format,
      content: sentence.repeat(80).trim(), // ~4.6k characters → 2 WhatsApp messages
    });
    const short = waInbound(business.phoneNumberId, { waId }, [wa.text('Do you ship?')]).payload;
    expect(await postWebhook(m, 'whatsapp', short)).toMatchObject({ status: 200 });
    const [send] = await m.graph.waitForRequests(1, { filter: (r) => r.to === waId });
    await waitForDelivery(business, 'whatsapp', 'sent');
    const status = (
      request: GraphRequest | undefined,
      value: 'sent' | 'delivered' | 'read',
      withReference = true,
    ) => {
      if (!request?.messageId) throw new Error('no Graph send to report on');
      const reference = (request.body as Json | null)?.biz_opaque_callback_data;
      const callbackData = withReference && typeof reference === 'string' ? reference : undefined;
      const statuses = [waStatus(request.messageId, value, { recipientId: waId, callbackData })];
      return waPayload([{ changes: [waChange({ phoneNumberId: business.phoneNumberId, statuses })] }]);
    };
    // Meta reports each send sent, delivered and read, a webhook each, with our reference (and may
    // repeat one). Background work (the outbox poll, the rollups' fold) shows in some windows: the
    // fewest of each kind. `sent` for a send this process recorded changes nothing: no statement.
    const statements = async (values: ('sent' | 'delivered' | 'read')[]) => {
      const counts: number[] = [];
      for (const value of values) {
        const before = m.t.database.statementCount();
        expect(await postWebhook(m, 'whatsapp', status(send, value))).toMatchObject({ status: 200 });
        counts.push(m.t.database.statementCount() - before);
      }
      return Math.min(...counts);
    };
    expect(await statements(['sent', 'sent', 'sent'])).toBe(0);
    expect(await statements(['delivered', 'read', 'read', 'read'])).toBe(1);
    expect((await waitForDelivery(business, 'whatsapp', 'read')).map((r) => r.message_content)).toEqual([
      'Reply to: Do you ship?',
    ]);

    // A status naming a reply's second part by its Graph id alone (no reference) still finds it.
    const long = waInbound(business.phoneNumberId, { waId }, [wa.text('TWO PARTS please')]).payload;
    expect(await postWebhook(m, 'whatsapp', long)).toMatchObject({ status: 200 });
    const parts = await m.graph.waitForRequests(3, { filter: (r) => r.to === waId });
    await waitForDelivery(business, 'whatsapp', 'sent');
    expect(await postWebhook(m, 'whatsapp', status(parts[2], 'delivered', false))).toMatchObject({
      status: 200,
    });
    const delivered = await waitForDelivery(business, 'whatsapp', 'delivered');
    expect(delivered.map((r) => r.message_content.length)).toEqual([sentence.repeat(80).trim().length]);
  });

  it('a status costs a few rows by our reference or its Graph id in a business that grew after the statistics were taken', async () => {
    const business = await createConnectedBusiness(m);
    const waId = uniqueDigits();
    await postWebhook(m, 'whatsapp', waInbound(business.phoneNumberId, { waId }, [wa.text('hi')]).payload);
    const [reply] = await waitForDelivery(business, 'whatsapp', 'sent');
    const db = m.t.database.db;
    // The statistics say this business has a message or two; then 4,000 replies are sent, each in two
    // parts, as a new business on a large table grows without reaching autovacuum's threshold.
    await db.execute(sql`ANALYZE messages`);
    await db.execute(sql`ANALYZE message_deliveries`);
    await db.execute(sql`
      WITH history AS (
        INSERT INTO messages (conversation_id, business_id, sender_type, message_content, sequence_number,
                              channel, status, external_message_id)
        SELECT ${reply?.conversation_id}::uuid, ${business.business_id}::uuid, 'assistant', 'reply ' || n,
               100 + n, 'whatsapp', 'sent', 'wamid.grown-' || n || '-1'
          FROM generate_series(1, 4000) AS n
        RETURNING message_id, business_id, conversation_id, external_message_id
      )
      , deliveries AS (
        INSERT INTO message_deliveries (message_id, business_id, conversation_id, attempts, parts_sent,
                                        graph_message_ids)
        SELECT message_id, business_id, conversation_id, 1, 2,
               ARRAY[external_message_id, regexp_replace(external_message_id, '-1$', '-2')]
          FROM history
        RETURNING message_id, business_id, graph_message_ids
      )
      INSERT INTO message_delivery_parts (graph_message_id, business_id, message_id, part)
      SELECT graph_message_ids[2], business_id, message_id, 1 FROM deliveries`);
    const [target] = rowsOf(
      await db.execute(sql`SELECT message_id FROM messages WHERE external_message_id = 'wamid.grown-2000-1'`),
    );
    const delivered = (messageIds: string[], reference: string | null): StatusEvent => ({
      kind: 'status',
      channel: 'whatsapp',
      recipientId: business.phoneNumberId,
      customerId: waId,
      messageIds,
      watermark: null,
      status: 'delivered',
      error: null,
      reference,
    });
    // Rolled back, so each way of naming the reply finds it still sent.
    const advance = (event: StatusEvent) =>
      rowsReadBy(
        db,
        ['messages', 'message_deliveries', 'message_delivery_parts'],
        (tx) => advanceDeliveryStatus(tx, business.business_id, event),
        { rollBack: true },
      );
    for (const event of [
      delivered(['wamid.grown-2000-1'], `${target?.message_id}:0`),
      delivered(['wamid.grown-2000-1'], null),
    ]) {
      const { result, rows } = await advance(event);
      expect(result.changed.map((c) => c.messageId)).toEqual([target?.message_id]);
      expect(rows).toBeLessThan(100);
    }
    // A later part's Graph id alone (a status without our reference) is found too, by its key; and an
    // id we never sent (a test message, another tool on the number) costs as little, finding nothing.
    const { result: byLaterPart, rows: laterPartRows } = await advance(
      delivered(['wamid.grown-2000-2'], null),
    );
    expect(byLaterPart.changed.map((c) => c.messageId)).toEqual([target?.message_id]);
    expect(laterPartRows).toBeLessThan(100);
    const { result: unknown, rows: unknownRows } = await advance(delivered(['wamid.never-sent'], null));
    expect(unknown).toEqual({ changed: [], unrecorded: false });
    expect(unknownRows).toBeLessThan(100);
    // Another business's Graph ids and references name nothing here.
    const other = await createConnectedBusiness(m);
    const foreign = await advanceDeliveryStatus(
      db,
      other.business_id,
      delivered(['wamid.grown-2000-2'], `${target?.message_id}:0`),
    );
    expect(foreign).toEqual({ changed: [], unrecorded: false });
  });

  it('splits a long reply at sentence boundaries, sending each part once and in order', async () => {
    const business = await createConnectedBusiness(m);
    const waId = uniqueDigits();
    const sentence = 'Our opening hours change in December, so please check before you come. ';
    const long = sentence.repeat(120).trim(); // ~8.6k characters → 3 WhatsApp messages
    m.llm.script({ match: (r) => r.text.includes('LONG PLEASE') && !r.response_format, content: long });
    await postWebhook(
      m,
      'whatsapp',
      waInbound(business.phoneNumberId, { waId }, [wa.text('LONG PLEASE')]).payload,
    );
    const sends = await m.graph.waitForRequests(3, { filter: (r) => r.to === waId });
    await waitForDelivery(business, 'whatsapp', 'sent');
    expect(m.graph.requests.filter((r) => r.to === waId)).toHaveLength(3);
    for (const s of sends) {
      expect((s.text as string).length).toBeLessThanOrEqual(4096);
      expect(s.text?.endsWith('.')).toBe(true);
    }
    expect(sends.map((s) => s.text).join(' ')).toBe(long);
    expect(sends.map((s) => (s.body as Json).biz_opaque_callback_data)).toEqual(
      [0, 1, 2].map((i) => expect.stringMatching(new RegExp(`^[0-9a-f-]{36}:${i}$`))),
    );
  });
});

describe('Messenger end to end', () => {
  it('answers through /me/messages with the page token, then follows delivery and read', async () => {
    const business = await createConnectedBusiness(m);
    const psid = `psid-${uniqueDigits()}`;
    const payload = msPayload([
      { pageId: business.pageId, messaging: [ms.text(business.pageId, psid, 'What are your hours?')] },
    ]);
    expect((await postWebhook(m, 'messenger', payload)).status).toBe(200);
    const [send] = await m.graph.waitForRequests(1, { filter: (r) => r.to === psid });
    expect(send).toMatchObject({
      path: '/me/messages',
      token: business.pageToken,
      text: 'Reply to: What are your hours?',
    });
    expect(send?.body).toMatchObject({
      recipient: { id: psid },
      messaging_type: 'RESPONSE',
      message: { text: 'Reply to: What are your hours?' },
    });
    await waitForDelivery(business, 'messenger', 'sent');
    // The echo of our own send (it carries our reference as metadata) is not a message.
    const reference = ((send?.body ?? {}) as Json).message?.metadata as string;
    await postWebhook(
      m,
      'messenger',
      msPayload([
        {
          pageId: business.pageId,
          messaging: [
            ms.echo(business.pageId, psid, send?.text as string, {
              mid: send?.messageId as string,
              metadata: reference,
            }),
          ],
        },
      ]),
    );
    await postWebhook(
      m,
      'messenger',
      msPayload([
        {
          pageId: business.pageId,
          messaging: [ms.delivery(business.pageId, psid, [send?.messageId as string])],
        },
      ]),
    );
    await waitForDelivery(business, 'messenger', 'delivered');
    await postWebhook(
      m,
      'messenger',
      msPayload([
        { pageId: business.pageId, messaging: [ms.read(business.pageId, psid, Date.now() + 1000)] },
      ]),
    );
    await waitForDelivery(business, 'messenger', 'read');
    const all = await messagesOf(m, business, 'messenger');
    expect(all.map((msg) => msg.sender_type)).toEqual(['user', 'assistant']);
  });

  it('a read watermark costs the replies since the last one read, not the customer’s history', async () => {
    const business = await createConnectedBusiness(m);
    const psid = `psid-${uniqueDigits()}`;
    const hello = msPayload([
      { pageId: business.pageId, messaging: [ms.text(business.pageId, psid, 'hello')] },
    ]);
    expect((await postWebhook(m, 'messenger', hello)).status).toBe(200);
    const [first] = await waitForDelivery(business, 'messenger', 'sent');
    const seen = msPayload([
      { pageId: business.pageId, messaging: [ms.read(business.pageId, psid, Date.now() + 1000)] },
    ]);
    expect((await postWebhook(m, 'messenger', seen)).status).toBe(200);
    await waitForDelivery(business, 'messenger', 'read');
    const db = m.t.database.db;
    // A long history, every reply read (a read watermark reads everything sent before it), then a reply
    // sent and not yet read.
    await db.execute(sql`
      INSERT INTO messages (conversation_id, business_id, sender_type, message_content, sequence_number, channel,
                            status, receipt, created_at)
      SELECT ${first?.conversation_id}::uuid, ${business.business_id}::uuid, 'assistant', 'earlier reply ' || n,
             100 + n, 'messenger', 'sent', 'read', now() - interval '1 day' + n * interval '1 second'
        FROM generate_series(1, 4000) AS n`);
    const [unread] = rowsOf(
      await db.execute(sql`
        INSERT INTO messages (conversation_id, business_id, sender_type, message_content, sequence_number, channel,
                              status, created_at)
        VALUES (${first?.conversation_id}::uuid, ${business.business_id}::uuid, 'assistant', 'the newest reply',
                5000, 'messenger', 'sent', now() - interval '1 second')
        RETURNING message_id`),
    );
    await db.execute(
      sql`UPDATE conversations SET last_sequence = 5000 WHERE conversation_id = ${first?.conversation_id}`,
    );
    await db.execute(sql`ANALYZE messages`);
    const read: StatusEvent = {
      kind: 'status',
      channel: 'messenger',
      recipientId: business.pageId,
      customerId: psid,
      messageIds: [],
      watermark: Date.now() + 1000,
      status: 'read',
      error: null,
      reference: null,
    };
    const { result, rows } = await rowsReadBy(db, ['messages'], (tx) =>
      advanceDeliveryStatus(tx, business.business_id, read),
    );
    const changed = result.changed;
    expect(changed.map((c) => c.messageId)).toEqual([unread?.message_id]);
    expect(rows).toBeLessThan(100);
    const replies = await assistantMessages(business, 'messenger');
    expect(replies.filter((r) => r.delivery_status !== 'read')).toEqual([]);
  });

  it('splits at 2000 characters for Messenger', async () => {
    const business = await createConnectedBusiness(m);
    const psid = `psid-${uniqueDigits()}`;
    const long = 'word '.repeat(900).trim(); // 4499 characters, no sentence ends
    m.llm.script({ match: (r) => r.text.includes('MESSENGER LONG') && !r.response_format, content: long });
    await postWebhook(
      m,
      'messenger',
      msPayload([{ pageId: business.pageId, messaging: [ms.text(business.pageId, psid, 'MESSENGER LONG')] }]),
    );
    const sends = await m.graph.waitForRequests(3, { filter: (r) => r.to === psid });
    expect(sends.every((s) => (s.text as string).length <= 2000)).toBe(true);
    expect(sends.map((s) => s.text).join(' ')).toBe(long);
  });
});

describe('Graph API faults', () => {
  it('retries 500, 429 and a timeout, then sends once and records it', async () => {
    const business = await createConnectedBusiness(m);
    const waId = uniqueDigits();
    const mine = (r: { to: string | null }) => r.to === waId;
    m.graph.script({ match: mine, fault: { status: 500 } });
    m.graph.script({ match: mine, fault: { status: 429 } });
    m.graph.script({ match: mine, fault: { hang: true } });
    await postWebhook(
      m,
      'whatsapp',
      waInbound(business.phoneNumberId, { waId }, [wa.text('are you there')]).payload,
    );
    const [reply] = await waitForDelivery(business, 'whatsapp', 'sent');
    const attempts = m.graph.requests.filter(mine);
    expect(attempts.map((r) => r.outcome)).toEqual([500, 429, 'hang', 200]);
    expect(reply?.external_message_id).toBe(attempts[3]?.messageId);
    // Every attempt carried the same reference: a late confirmation of any of them reconciles.
    expect(new Set(attempts.map((r) => (r.body as Json).biz_opaque_callback_data)).size).toBe(1);
  });

  it('fails a reply on a Graph 400, with Meta’s error in the transcript, and does not retry', async () => {
    const business = await createConnectedBusiness(m);
    const psid = `psid-${uniqueDigits()}`;
    m.graph.script({
      match: (r) => r.to === psid,
      fault: {
        status: 400,
        error: {
          message: '(#100) No matching user found',
          type: 'OAuthException',
          code: 100,
          error_subcode: 2018001,
        },
      },
    });
    await postWebhook(
      m,
      'messenger',
      msPayload([{ pageId: business.pageId, messaging: [ms.text(business.pageId, psid, 'hi')] }]),
    );
    const [reply] = await waitForDelivery(business, 'messenger', 'failed');
    expect(reply?.delivery_error).toBe('Graph API 400: (#100) No matching user found (code 100/2018001)');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(m.graph.requests.filter((r) => r.to === psid)).toHaveLength(1);
  });

  it('a claim reads one reply per conversation with replies queued, not every reply waiting out its backoff', async () => {
    const business = await createConnectedBusiness(m);
    for (const waId of [uniqueDigits(), uniqueDigits()])
      await postWebhook(m, 'whatsapp', waInbound(business.phoneNumberId, { waId }, [wa.text('hi')]).payload);
    await waitForDelivery(business, 'whatsapp', 'sent', 2);
    const db = m.t.database.db;
    // What a Graph outage leaves: 5,000 replies queued behind each conversation's first, all backed off.
    await db.execute(sql`
      WITH backlog AS (
        INSERT INTO messages (conversation_id, business_id, sender_type, message_content, sequence_number,
                              channel, status)
        SELECT c.conversation_id, c.business_id, 'assistant', 'queued during the outage ' || n, 1000 + n,
               'whatsapp', 'queued'
          FROM conversations c, generate_series(1, 5000) AS n
         WHERE c.business_id = ${business.business_id}
        RETURNING message_id, business_id, conversation_id
      )
      INSERT INTO message_deliveries (message_id, business_id, conversation_id, attempts, next_attempt_at)
      SELECT message_id, business_id, conversation_id, 1, now() + interval '1 hour' FROM backlog`);
    await db.execute(sql`ANALYZE messages`);
    await db.execute(sql`ANALYZE message_deliveries`);
    // Rolled back: nothing is claimed for real.
    const { result: claimed, rows: read } = await rowsReadBy(
      db,
      ['messages', 'message_deliveries'],
      (tx) => claimDueDeliveries(tx, 'claim-reads-test', 30, 16),
      { rollBack: true },
    );
    expect(claimed.filter((c) => c.businessId === business.business_id)).toEqual([]);
    await db.execute(
      sql`DELETE FROM messages WHERE business_id = ${business.business_id} AND status = 'queued'`,
    );
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(100);
  });

  it('gives up after the configured attempts on repeated 503s', async () => {
    const business = await createConnectedBusiness(m);
    const waId = uniqueDigits();
    m.graph.script({ match: (r) => r.to === waId, times: 10, fault: { status: 503 } });
    await postWebhook(
      m,
      'whatsapp',
      waInbound(business.phoneNumberId, { waId }, [wa.text('hello?')]).payload,
    );
    const [reply] = await waitForDelivery(business, 'whatsapp', 'failed');
    expect(reply?.delivery_error).toMatch(/^Graph API 503/);
    expect(m.graph.requests.filter((r) => r.to === waId)).toHaveLength(4); // GRAPH_MAX_ATTEMPTS
  });

  it('reconciles a send whose answer was lost from the status webhook carrying our reference', async () => {
    const business = await createConnectedBusiness(m);
    const waId = uniqueDigits();
    // The first send reaches Meta but the answer is lost; its "sent" status arrives before the retry.
    m.graph.script({ match: (r) => r.to === waId, fault: { hang: true } });
    await postWebhook(
      m,
      'whatsapp',
      waInbound(business.phoneNumberId, { waId }, [wa.text('ambiguous')]).payload,
    );
    const [lost] = await m.graph.waitForRequests(1, { filter: (r) => r.to === waId });
    const reference = ((lost?.body ?? {}) as Json).biz_opaque_callback_data as string;
    // Wait until the timeout was recorded (the part stays marked in flight), then confirm it.
    await waitFor(async () => {
      const result = await m.t.database.db.execute(
        sql`SELECT last_error FROM message_deliveries WHERE message_id = ${reference.split(':')[0]}`,
      );
      return rowsOf(result)[0]?.last_error;
    });
    const status = waStatus('wamid.RECONCILED1', 'sent', { recipientId: waId, callbackData: reference });
    await postWebhook(
      m,
      'whatsapp',
      waPayload([{ changes: [waChange({ phoneNumberId: business.phoneNumberId, statuses: [status] })] }]),
    );
    const [reply] = await waitForDelivery(business, 'whatsapp', 'sent');
    expect(reply?.external_message_id).toBe('wamid.RECONCILED1');
    await new Promise((resolve) => setTimeout(resolve, 3300)); // past the reconcile grace
    await m.t.app.drainOutbox?.();
    expect(m.graph.requests.filter((r) => r.to === waId)).toHaveLength(1);
  });
});

describe('AI stopped and agent replies', () => {
  it('stores the message and sends nothing while the AI is stopped; an agent reply goes out', async () => {
    const business = await createConnectedBusiness(m);
    const waId = uniqueDigits();
    await postWebhook(m, 'whatsapp', waInbound(business.phoneNumberId, { waId }, [wa.text('first')]).payload);
    await waitForDelivery(business, 'whatsapp', 'sent');
    const [conversation] = (await callApi(m.t.app, 'GET', '/api/conversations', business.api_key)).body
      .conversations as Json[];
    const stop = await callApi(
      m.t.app,
      'POST',
      `/api/conversations/${conversation?.conversation_id}/ai-control`,
      business.api_key,
      { action: 'stop' },
    );
    expect(stop.status).toBe(200);
    await postWebhook(
      m,
      'whatsapp',
      waInbound(business.phoneNumberId, { waId }, [wa.text('second, AI stopped')]).payload,
    );
    await waitFor(async () =>
      (await messagesOf(m, business, 'whatsapp')).some(
        (msg) => msg.message_content === 'second, AI stopped' && msg.status === 'skipped',
      ),
    );
    expect(m.graph.requests.filter((r) => r.to === waId)).toHaveLength(1);

    const agent = await callApi(
      m.t.app,
      'POST',
      `/api/conversations/${conversation?.conversation_id}/agent-reply`,
      business.api_key,
      { content: 'A human here.' },
    );
    expect(agent.status).toBe(201);
    expect(agent.body.delivery_status).toBe('queued');
    const sends = await m.graph.waitForRequests(2, { filter: (r) => r.to === waId });
    expect(sends[1]?.text).toBe('A human here.');
    await waitFor(async () =>
      (await messagesOf(m, business, 'whatsapp')).find(
        (msg) => msg.sender_type === 'agent' && msg.delivery_status === 'sent',
      ),
    );
  });

  it('refuses an agent reply on WhatsApp more than 24 hours after the customer wrote (409)', async () => {
    const business = await createConnectedBusiness(m);
    const waId = uniqueDigits();
    await postWebhook(
      m,
      'whatsapp',
      waInbound(business.phoneNumberId, { waId }, [wa.text('old message')]).payload,
    );
    await waitForDelivery(business, 'whatsapp', 'sent');
    const [conversation] = (await callApi(m.t.app, 'GET', '/api/conversations', business.api_key)).body
      .conversations as Json[];
    await m.t.database.db.execute(
      sql`UPDATE messages SET created_at = now() - interval '25 hours' WHERE conversation_id = ${conversation?.conversation_id} AND sender_type = 'user'`,
    );
    const before = (await messagesOf(m, business, 'whatsapp')).length;
    const refused = await callApi(
      m.t.app,
      'POST',
      `/api/conversations/${conversation?.conversation_id}/agent-reply`,
      business.api_key,
      { content: 'Too late?' },
    );
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/24 hours/),
    });
    expect((await messagesOf(m, business, 'whatsapp')).length).toBe(before);
  });
});

describe('send a test message', () => {
  it('sends synchronously and answers the Graph message id; a Graph refusal is a clear 400, an outage 502', async () => {
    const business = await createConnectedBusiness(m);
    const url = `/api/businesses/${business.business_id}/channels/whatsapp/test`;
    const ok = await callApi(m.t.app, 'POST', url, business.api_key, {
      to: '15550009999',
      text: 'Hello from settings',
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      success: true,
      channel: 'whatsapp',
      graph_message_id: expect.stringMatching(/^wamid\./),
    });
    expect(m.graph.requests.at(-1)).toMatchObject({ token: business.waToken, text: 'Hello from settings' });

    m.graph.script({
      fault: { status: 400, error: { message: 'Recipient phone number not in allowed list', code: 131030 } },
    });
    const refused = await callApi(m.t.app, 'POST', url, business.api_key, { to: '15550009999' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/not in allowed list/);
    m.graph.script({ fault: { status: 503 } });
    const outage = await callApi(
      m.t.app,
      'POST',
      `/api/businesses/${business.business_id}/channels/messenger/test`,
      business.api_key,
      { to: 'psid-1' },
    );
    expect(outage.status).toBe(502);
    expect(outage.body.error.code).toBe('SERVICE_ERROR');
  });

  it('answers 409 when the channel is not connected, 403 for another business', async () => {
    const business = await createConnectedBusiness(m);
    const other = await createConnectedBusiness(m);
    const del = await callApi(
      m.t.app,
      'DELETE',
      `/api/businesses/${business.business_id}/channels/messenger`,
      business.api_key,
    );
    expect(del.status).toBe(204);
    const notConnected = await callApi(
      m.t.app,
      'POST',
      `/api/businesses/${business.business_id}/channels/messenger/test`,
      business.api_key,
      { to: 'p' },
    );
    expect(notConnected.status).toBe(409);
    const foreign = await callApi(
      m.t.app,
      'POST',
      `/api/businesses/${other.business_id}/channels/whatsapp/test`,
      business.api_key,
      { to: '1' },
    );
    expect(foreign.status).toBe(403);
  });
});
