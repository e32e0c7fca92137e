import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/raw-rows.js';
import { appendMessage, insertMessage } from '../../src/modules/conversations/messages.repository.js';
import { leasedFromRow, releaseLease, tryLease } from '../../src/modules/pipeline/turn.repository.js';
import { type CreatedBusiness, createBusiness } from '../helpers/factories.js';
import { waitFor } from '../helpers/meta-app.js';
import {
  firstContactStatements,
  laterMessageStatements,
  type PipelineApp,
  scriptedModel,
  sendMessage,
  startPipelineApp,
} from '../helpers/pipeline-fixture.js';

// A customer's message into a conversation where nothing else is pending takes the conversation's
// lease in its own insert statement: the turn then needs no statement of its own to take it. The
// insert must take it only when the separate statement would have found the same: lease free, no other
// pending message, none committed since the insert's snapshot.

let p: PipelineApp;
beforeAll(async () => {
  p = await startPipelineApp();
  p.llm.setDefault(scriptedModel());
});
afterAll(async () => p.close());

const send = (key: string, payload: Record<string, unknown>) => sendMessage(p, key, payload);

async function startConversation(business: CreatedBusiness) {
  const first = await send(business.api_key, { content: 'first words' });
  expect(first.statusCode, first.body).toBe(200);
  const second = await send(business.api_key, {
    content: 'second words',
    conversation_id: first.json().conversation_id,
  });
  expect(second.statusCode, second.body).toBe(200);
  return first.json().conversation_id as string;
}

const customerMessage = (business: CreatedBusiness, conversationId: string, content: string) => ({
  businessId: business.business_id,
  senderType: 'user' as const,
  content,
  status: 'pending',
  reserveReplySlot: true,
  target: { conversationId, activeOnly: true as const },
});

async function leaseOf(conversationId: string) {
  const [row] = rowsOf(
    await p.t.database.db.execute(
      sql`SELECT lease_owner, lease_until FROM conversations WHERE conversation_id = ${conversationId}`,
    ),
  );
  return row?.lease_owner ?? null;
}

describe('the lease taken with the customer message', () => {
  it('reads what the lease statement reads: state, customer, and the history before the message', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const conversationId = await startConversation(business);
    const stored = await insertMessage(p.t.database.db, {
      ...customerMessage(business, conversationId, 'third words'),
      lease: { owner: 'insert-test', seconds: 30, historyLimit: 3 },
    });
    expect(stored?.leased, 'the lease was free and nothing else pending').toBeDefined();
    expect(await leaseOf(conversationId)).toBe('insert-test');
    const message = stored?.message;
    const pending = [
      {
        messageId: message?.messageId as string,
        content: 'third words',
        sequence: message?.sequenceNumber as number,
        configuration: null,
      },
    ];
    const atInsert = leasedFromRow(stored?.leased as Record<string, unknown>, pending, 3);
    await releaseLease(p.t.database.db, 'insert-test', conversationId);
    const separately = await tryLease(
      p.t.database.db,
      { owner: 'lease-test', seconds: 1 },
      conversationId,
      message?.sequenceNumber as number,
      3,
    );
    await releaseLease(p.t.database.db, 'lease-test', conversationId);
    expect(atInsert).toEqual(separately);
    expect(atInsert.history?.messages.map((m) => m.content)).toEqual([
      'Reply to: second words',
      'second words',
      'Reply to: first words',
    ]);
  });

  it('is not taken while another process holds it, nor past another pending message; an expired one is', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const conversationId = await startConversation(business);
    const db = p.t.database.db;
    const lease = { owner: 'insert-test', seconds: 30, historyLimit: 5 };

    await db.execute(
      sql`UPDATE conversations SET lease_owner = 'elsewhere', lease_until = now() + interval '1 minute'
           WHERE conversation_id = ${conversationId}`,
    );
    const held = await insertMessage(db, { ...customerMessage(business, conversationId, 'held'), lease });
    expect(held?.message.messageContent).toBe('held');
    expect(held?.leased).toBeUndefined();
    expect(await leaseOf(conversationId)).toBe('elsewhere');

    // Expired: taken; but 'held' is pending still, so a later message may not jump it.
    await db.execute(
      sql`UPDATE conversations SET lease_until = now() - interval '1 second' WHERE conversation_id = ${conversationId}`,
    );
    const behind = await insertMessage(db, { ...customerMessage(business, conversationId, 'behind'), lease });
    expect(behind?.leased).toBeUndefined();
    expect(await leaseOf(conversationId)).toBe('elsewhere');

    await db.execute(sql`UPDATE messages SET status = 'processed' WHERE conversation_id = ${conversationId}`);
    const expired = await insertMessage(db, { ...customerMessage(business, conversationId, 'now'), lease });
    expect(expired?.leased).toBeDefined();
    expect(await leaseOf(conversationId)).toBe('insert-test');
  });

  it("a later message into an idle conversation costs two statements: its insert with the lease, and the turn's write", async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const conversationId = await startConversation(business);
    expect(await laterMessageStatements(p, business.api_key, conversationId)).toBe(2);
    expect(await leaseOf(conversationId), "released with the turn's write").toBeNull();
  });

  it("a customer's first message costs two statements too: the customer, the conversation and the message with the lease, then the turn's write", async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    expect(await firstContactStatements(p, business.api_key)).toBe(2);

    const first = await send(business.api_key, { content: 'hello there' });
    expect(first.statusCode, first.body).toBe(200);
    const { conversation_id: conversationId, user_id: userId } = first.json();
    const [conversation] = rowsOf(
      await p.t.database.db.execute(
        sql`SELECT c.user_id, c.stage_id, c.channel, c.status, c.last_sequence, c.lease_owner,
                   c.waiting_since, u.business_id AS user_business_id, u.first_name
              FROM conversations c JOIN users u ON u.user_id = c.user_id
             WHERE c.conversation_id = ${conversationId}`,
      ),
    );
    expect(conversation).toEqual({
      user_id: userId,
      stage_id: business.first_stage_id,
      channel: 'api',
      status: 'active',
      last_sequence: 2,
      lease_owner: null,
      waiting_since: null,
      user_business_id: business.business_id,
      first_name: '',
    });
    const transcript = rowsOf(
      await p.t.database.db.execute(
        sql`SELECT sequence_number, sender_type, status FROM messages
             WHERE conversation_id = ${conversationId} ORDER BY sequence_number`,
      ),
    );
    expect(transcript).toEqual([
      { sequence_number: 1, sender_type: 'user', status: 'processed' },
      { sequence_number: 2, sender_type: 'assistant', status: 'sent' },
    ]);

    // The customer goes on in the conversation their first message opened.
    const next = await send(business.api_key, { content: 'and more', user_id: userId });
    expect(next.json().conversation_id).toBe(conversationId);
  });
});

describe.skipIf(!process.env.DATABASE_URL)(
  'against a message committed after its snapshot (PostgreSQL)',
  () => {
    it('does not take the lease past a message that committed while the insert waited for the row', async () => {
      const business = await createBusiness(p.t.app, p.t.masterKey);
      const conversationId = await startConversation(business);
      const db = p.t.database.db;
      let racing: ReturnType<typeof insertMessage> | undefined;
      await db.transaction(async (tx) => {
        // This transaction's message holds the conversation's row until it commits.
        await appendMessage(tx, {
          ...customerMessage(business, conversationId, 'earlier'),
          conversationId,
        });
        racing = insertMessage(db, {
          ...customerMessage(business, conversationId, 'later'),
          lease: { owner: 'insert-test', seconds: 30, historyLimit: 5 },
        });
        // The later insert has its snapshot and waits for the row lock.
        await waitFor(
          async () => {
            const [row] = rowsOf(
              await db.execute(
                sql`SELECT count(*)::int AS waiting FROM pg_stat_activity
                   WHERE wait_event_type = 'Lock' AND query LIKE '%WITH found AS%'`,
              ),
            );
            return Number(row?.waiting) > 0;
          },
          30_000,
          'the later insert to wait for the conversation row',
        );
      });
      const later = await racing;
      expect(later?.message.messageContent).toBe('later');
      expect(later?.leased, 'the earlier message is pending, unseen by the snapshot').toBeUndefined();
      expect(await leaseOf(conversationId)).toBeNull();
    });
  },
);
