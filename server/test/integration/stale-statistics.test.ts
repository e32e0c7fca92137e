import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '../../src/db/client.js';
import { messagesByExternalIds } from '../../src/db/message-by-external-id.js';
import { rowsOf } from '../../src/db/raw-rows.js';
import { advanceDeliveryStatus } from '../../src/modules/channels/meta/deliveries.repository.js';
import { isStored } from '../../src/modules/channels/meta/meta-inbound.repository.js';
import {
  findMessageByExternalId,
  findWebVisitorUserId,
  insertMessage,
} from '../../src/modules/conversations/messages.repository.js';
import { createBusiness } from '../helpers/factories.js';
import {
  type PipelineApp,
  scriptedModel,
  sendMessage,
  startPipelineApp,
} from '../helpers/pipeline-fixture.js';
import { rowsReadBy } from '../helpers/rows-read.js';

// A business that grew after the table's statistics were taken (a new business on a large table, whose
// growth alone never reaches autovacuum's threshold) is estimated at a row or two. With business_id
// beside the key, every index that starts with business_id then looks as cheap as the key's own, and a
// message's insert walked the business's conversations, or its customers, to find the one it names.

let p: PipelineApp;
beforeAll(async () => {
  p = await startPipelineApp();
  p.llm.setDefault(scriptedModel());
});
afterAll(async () => p.close());

describe('a business that outgrew its statistics', () => {
  it("a customer's message finds its conversation and customer by key, not by walking the business", async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const first = await sendMessage(p, business.api_key, { content: 'hello' });
    expect(first.statusCode, first.body).toBe(200);
    const { conversation_id: conversationId, user_id: userId } = first.json() as {
      conversation_id: string;
      user_id: string;
    };
    const db = p.t.database.db;
    await db.execute(sql`ANALYZE users`);
    await db.execute(sql`ANALYZE conversations`);
    await db.execute(sql`ANALYZE messages`);
    // Then 3,000 customers, each with a WhatsApp id, a website visitor id and an active conversation
    // holding one WhatsApp message.
    await db.execute(sql`
      WITH customers AS (
        INSERT INTO users (business_id, first_name, whatsapp_id, web_visitor_id)
        SELECT ${business.business_id}::uuid, 'Customer ' || n, '4479' || lpad(n::text, 8, '0'), 'visitor-' || n
          FROM generate_series(1, 3000) AS n
        RETURNING user_id, whatsapp_id
      ), opened AS (
        INSERT INTO conversations (business_id, user_id, channel, last_sequence, last_updated)
        SELECT ${business.business_id}::uuid, user_id, 'whatsapp', 1,
               now() - (substr(whatsapp_id, 5)::int * interval '1 second')
          FROM customers
        RETURNING conversation_id
      )
      INSERT INTO messages (conversation_id, business_id, sender_type, message_content, sequence_number, channel,
                            status, external_message_id)
      SELECT conversation_id, ${business.business_id}::uuid, 'user', 'earlier', 1, 'whatsapp', 'processed',
             'wamid.earlier-' || conversation_id
        FROM opened`);
    const [whatsappCustomer] = rowsOf(
      await db.execute(sql`SELECT c.conversation_id FROM conversations c JOIN users u ON u.user_id = c.user_id
                            WHERE u.business_id = ${business.business_id} AND u.whatsapp_id = '447900001500'`),
    );
    const message = (target: Parameters<typeof insertMessage>[1]['target'], channel: string) => ({
      businessId: business.business_id,
      senderType: 'user' as const,
      content: 'and again',
      status: 'pending',
      channel,
      // A channel's message carries its id there, checked against those stored (a redelivery).
      externalMessageId: channel === 'api' ? undefined : 'wamid.after-the-statistics',
      reserveReplySlot: true,
      target,
    });
    const targets: [Parameters<typeof insertMessage>[1]['target'], string, string | undefined][] = [
      [{ conversationId, activeOnly: true }, 'api', conversationId],
      [{ userId, activeOnly: true }, 'api', conversationId],
      [
        { identity: { kind: 'whatsapp', id: '447900001500' }, activeOnly: true },
        'whatsapp',
        whatsappCustomer?.conversation_id as string,
      ],
    ];
    for (const [target, channel, expected] of targets) {
      // Rolled back: each insert sees the business as it is.
      const { result, rows } = await rowsReadBy(
        db,
        ['conversations', 'users', 'messages'],
        (tx) => insertMessage(tx, message(target, channel)),
        { rollBack: true },
      );
      expect(result?.message.conversationId).toBe(expected);
      expect(rows, JSON.stringify(target)).toBeLessThan(50);
    }
    const { result: visitor, rows: visitorRows } = await rowsReadBy(
      db,
      ['users'],
      (tx) => findWebVisitorUserId(tx, business.business_id, 'visitor-1500'),
      { rollBack: true },
    );
    expect(visitor).toBeDefined();
    expect(visitorRows).toBeLessThan(10);
    // Another business's customer is not found by their identity.
    const other = await createBusiness(p.t.app, p.t.masterKey);
    expect(await findWebVisitorUserId(db, other.business_id, 'visitor-1500')).toBeUndefined();
    const foreign = await insertMessage(
      db,
      message({ identity: { kind: 'whatsapp', id: '447900001500' }, activeOnly: true }, 'whatsapp'),
    ).then((r) => r?.message.conversationId);
    expect(foreign).toBe(whatsappCustomer?.conversation_id);
  });

  it("a channel's own message id is looked up by that id, not by walking the business's messages", async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const db = p.t.database.db;
    // The statistics are taken before this business has a message; then 3,000 WhatsApp replies are
    // sent to one customer, each with its Graph id.
    await db.execute(sql`ANALYZE messages`);
    await db.execute(sql`
      WITH customer AS (
        INSERT INTO users (business_id, whatsapp_id) VALUES (${business.business_id}::uuid, '447911112222')
        RETURNING user_id
      ), opened AS (
        INSERT INTO conversations (business_id, user_id, channel, last_sequence)
        SELECT ${business.business_id}::uuid, user_id, 'whatsapp', 3000 FROM customer
        RETURNING conversation_id
      )
      INSERT INTO messages (conversation_id, business_id, sender_type, message_content, sequence_number, channel,
                            status, external_message_id)
      SELECT conversation_id, ${business.business_id}::uuid, 'assistant', 'reply ' || n, n, 'whatsapp', 'sent',
             'wamid.grown-' || n
        FROM opened, generate_series(1, 3000) AS n`);
    const [conversation] = rowsOf(
      await db.execute(
        sql`SELECT conversation_id FROM conversations WHERE business_id = ${business.business_id}`,
      ),
    );
    const conversationId = String(conversation?.conversation_id);
    const [target] = rowsOf(
      await db.execute(sql`SELECT message_id FROM messages WHERE external_message_id = 'wamid.grown-1500'`),
    );
    const read = <T>(work: (tx: Tx) => Promise<T>) =>
      rowsReadBy(db, ['messages', 'message_delivery_parts'], work, { rollBack: true });

    // A redelivered inbound message: the channel's check, the API's idempotent answer, the insert's own.
    const stored = await read((tx) => isStored(tx, business.business_id, 'whatsapp', 'wamid.grown-1500'));
    expect(stored.result).toBe(true);
    expect(stored.rows).toBeLessThan(10);
    const found = await read((tx) =>
      findMessageByExternalId(tx, business.business_id, 'whatsapp', 'wamid.grown-1500'),
    );
    expect(found.result?.messageId).toBe(target?.message_id);
    expect(found.rows).toBeLessThan(10);
    const insert = (externalMessageId: string) =>
      read((tx) =>
        insertMessage(tx, {
          businessId: business.business_id,
          senderType: 'user',
          content: 'again',
          status: 'pending',
          channel: 'whatsapp',
          externalMessageId,
          reserveReplySlot: true,
          target: { conversationId, activeOnly: true },
        }),
      );
    const duplicate = await insert('wamid.grown-1500');
    expect(duplicate.result).toBeNull();
    expect(duplicate.rows).toBeLessThan(50);
    const fresh = await insert('wamid.new-one');
    expect(fresh.result?.message.conversationId).toBe(conversationId);
    expect(fresh.rows).toBeLessThan(50);

    // A status webhook naming a reply by its Graph id alone, and one naming an id never sent here.
    const delivered = (graphId: string) => (tx: Tx) =>
      advanceDeliveryStatus(tx, business.business_id, {
        kind: 'status',
        channel: 'whatsapp',
        recipientId: 'phone',
        customerId: '447911112222',
        messageIds: [graphId],
        watermark: null,
        status: 'delivered',
        error: null,
        reference: null,
      });
    const status = await read(delivered('wamid.grown-1500'));
    expect(status.result.changed.map((c) => c.messageId)).toEqual([target?.message_id]);
    expect(status.rows).toBeLessThan(10);
    const unknown = await read(delivered('wamid.never-sent'));
    expect(unknown.result.changed).toEqual([]);
    expect(unknown.rows).toBeLessThan(10);

    // No ids (a Messenger read names none) read nothing, however many replies wait in the outbox.
    await db.execute(sql`
      INSERT INTO messages (conversation_id, business_id, sender_type, message_content, sequence_number, channel,
                            status)
      SELECT ${conversationId}::uuid, ${business.business_id}::uuid, 'assistant', 'queued ' || n, 3000 + n,
             'whatsapp', 'queued'
        FROM generate_series(1, 500) AS n`);
    const none = await read((tx) =>
      tx.execute(
        sql`SELECT count(*) FROM ${messagesByExternalIds(sql`'{}'::text[]`, sql`${business.business_id}::uuid`, sql`'whatsapp'`)} m`,
      ),
    );
    expect(none.rows).toBe(0);

    // The same ids name nothing in another business.
    const other = await createBusiness(p.t.app, p.t.masterKey);
    expect(await isStored(db, other.business_id, 'whatsapp', 'wamid.grown-1500')).toBe(false);
    expect(
      await findMessageByExternalId(db, other.business_id, 'whatsapp', 'wamid.grown-1500'),
    ).toBeUndefined();
    expect(await isStored(db, business.business_id, 'messenger', 'wamid.grown-1500')).toBe(false);
  });
});
