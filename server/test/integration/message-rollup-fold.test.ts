// The messages' counts (analytics_daily's message columns, analytics_conversation_hour) are not written
// by the transaction that stores a message: a fold adds the messages committed since the snapshot it
// last read (migration 0026). Conversations' first messages (0030) and starts (0031) are queued by
// their writers and counted by the same fold. Whatever happens between a message's insert and the fold — more folds,
// an update of what it counts as, a delete, a channel change, a transaction still open while a fold
// runs — the folded rollups answer what the raw rows answer, each message once.
import { type SQL, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rowsOf } from '../../src/db/raw-rows.js';
import { foldCommittedRows } from '../../src/modules/analytics/rollup-compaction.repository.js';
import { type CreatedBusiness, createBusiness } from '../helpers/factories.js';
import { type PipelineApp, scriptedModel, startPipelineApp } from '../helpers/pipeline-fixture.js';
import { conversationOf, heldOpen } from '../helpers/rollup-fold-fixture.js';

const DAY_MS = 86_400_000;
const midnight = Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);
const iso = (ms: number) => new Date(ms).toISOString();

let p: PipelineApp;
beforeAll(async () => {
  p = await startPipelineApp();
  p.llm.setDefault(scriptedModel());
});
afterAll(async () => p.close());

type Executor = { execute: (q: SQL) => Promise<unknown> };
const exec = async (query: SQL, db: Executor = p.t.database.db) =>
  rowsOf((await db.execute(query)) as Parameters<typeof rowsOf>[0]);
const fold = () => foldCommittedRows(p.t.database.db, 'messages', { wait: true });

let n = 0;
/**
 * One message's VALUES row: sender, status, fallback flag and day (today or yesterday, at hours that
 * differ) vary with a counter; its sequence number is the counter's, unique in any conversation.
 */
function message(business: CreatedBusiness, conversationId: string): SQL {
  n += 1;
  const sender = ['user', 'assistant', 'agent'][n % 3];
  const status = sender === 'user' ? (n % 2 === 0 ? 'skipped' : 'processed') : 'sent';
  const metadata = sender === 'assistant' && n % 4 === 1 ? '{"fallback": true}' : null;
  return sql`(${conversationId}::uuid, ${business.business_id}::uuid, ${sender}, 'm', ${1000 + n}, ${status},
              ${metadata}::jsonb, ${iso(midnight - (n % 2) * DAY_MS + (n % 5) * 3_600_000)}::timestamptz)`;
}
const insertMessages = (rows: SQL[], db: Executor = p.t.database.db) =>
  exec(
    sql`INSERT INTO messages (conversation_id, business_id, sender_type, message_content, sequence_number, status,
                              metadata, created_at)
        VALUES ${sql.join(rows, sql`, `)} RETURNING message_id`,
    db,
  );

// Stage ids for customer messages written by hand (messages.stage_id has no foreign key).
const stageA = '00000000-0000-4000-8000-00000000000a';
const stageB = '00000000-0000-4000-8000-00000000000b';

/** Inserts a processed customer message of `conversationId` at `sequence`, in `stage`, `hoursAgo` hours ago. */
const insertProcessed = async (
  conversationId: string,
  sequence: number,
  stage: string,
  hoursAgo: number,
  db: Executor = p.t.database.db,
) => {
  const [row] = await exec(
    sql`
    INSERT INTO messages (conversation_id, business_id, sender_type, message_content, sequence_number, status,
                          stage_id, created_at)
    SELECT conversation_id, business_id, 'user', 'late', ${sequence}, 'processed', ${stage}::uuid,
           ${iso(Date.now() - hoursAgo * 3_600_000)}::timestamptz
      FROM conversations WHERE conversation_id = ${conversationId}::uuid
    RETURNING message_id`,
    db,
  );
  return row?.message_id;
};

/** A conversation of the customer of `conversationId`, without messages, started `hoursAgo` hours ago. */
const insertConversation = async (
  conversationId: string,
  hoursAgo: number,
  db: Executor = p.t.database.db,
) => {
  const [row] = await exec(
    sql`INSERT INTO conversations (business_id, user_id, start_time)
        SELECT business_id, user_id, ${iso(Date.now() - hoursAgo * 3_600_000)}::timestamptz
          FROM conversations WHERE conversation_id = ${conversationId}::uuid
        RETURNING conversation_id`,
    db,
  );
  return String(row?.conversation_id);
};

/** The business's message rollups summed over slots, and the same sums from its raw rows. */
async function rollupAndRaw(business: CreatedBusiness) {
  const id = business.business_id;
  const daily = await exec(sql`
    SELECT day, simulator, sum(messages)::int AS messages, sum(user_messages)::int AS user_messages,
           sum(assistant_messages)::int AS assistant_messages, sum(agent_messages)::int AS agent_messages,
           sum(fallback_replies)::int AS fallback_replies, sum(ai_stopped_messages)::int AS ai_stopped_messages
      FROM analytics_daily WHERE business_id = ${id}::uuid
     GROUP BY 1, 2 HAVING sum(messages) <> 0 ORDER BY 1, 2`);
  const rawDaily = await exec(sql`
    SELECT (m.created_at AT TIME ZONE 'UTC')::date AS day, c.channel = 'simulator' AS simulator,
           count(*)::int AS messages, (count(*) FILTER (WHERE m.sender_type = 'user'))::int AS user_messages,
           (count(*) FILTER (WHERE m.sender_type = 'assistant'))::int AS assistant_messages,
           (count(*) FILTER (WHERE m.sender_type = 'agent'))::int AS agent_messages,
           (count(*) FILTER (WHERE m.sender_type = 'assistant' AND m.metadata ->> 'fallback' = 'true'))::int
             AS fallback_replies,
           (count(*) FILTER (WHERE m.sender_type = 'user' AND m.status = 'skipped'))::int AS ai_stopped_messages
      FROM messages m JOIN conversations c ON c.conversation_id = m.conversation_id
     WHERE m.business_id = ${id}::uuid
     GROUP BY 1, 2 ORDER BY 1, 2`);
  const hours = await exec(sql`
    SELECT hour, conversation_id, sum(messages)::int AS messages FROM analytics_conversation_hour
     WHERE business_id = ${id}::uuid GROUP BY 1, 2 HAVING sum(messages) <> 0 ORDER BY 1, 2`);
  const rawHours = await exec(sql`
    SELECT analytics_hour(created_at) AS hour, conversation_id, count(*)::int AS messages FROM messages
     WHERE business_id = ${id}::uuid GROUP BY 1, 2 ORDER BY 1, 2`);
  // Each conversation's first processed customer message with a stage: its hour and stage (0030).
  const firsts = await exec(sql`
    SELECT hour, stage_id, conversation_id, sum(first)::int AS first FROM analytics_stage_entry_hour
     WHERE business_id = ${id}::uuid GROUP BY 1, 2, 3 HAVING sum(first) <> 0 ORDER BY 1, 2, 3`);
  const rawFirsts = await exec(sql`
    SELECT f.hour, f.stage_id, f.conversation_id, 1 AS first
      FROM (SELECT DISTINCT ON (conversation_id) analytics_hour(created_at) AS hour, stage_id, conversation_id
              FROM messages
             WHERE business_id = ${id}::uuid AND sender_type = 'user' AND status = 'processed'
             ORDER BY conversation_id, sequence_number) AS f
     WHERE f.stage_id IS NOT NULL ORDER BY 1, 2, 3`);
  // Conversations started per day (chat or simulator) and each conversation's start hour (0031).
  const starts = await exec(sql`
    SELECT day, simulator, sum(new_conversations)::int AS conversations FROM analytics_daily
     WHERE business_id = ${id}::uuid GROUP BY 1, 2 HAVING sum(new_conversations) <> 0 ORDER BY 1, 2`);
  const rawStarts = await exec(sql`
    SELECT (start_time AT TIME ZONE 'UTC')::date AS day, channel = 'simulator' AS simulator,
           count(*)::int AS conversations
      FROM conversations WHERE business_id = ${id}::uuid GROUP BY 1, 2 ORDER BY 1, 2`);
  const started = await exec(sql`
    SELECT hour, conversation_id, sum(started)::int AS started FROM analytics_conversation_hour
     WHERE business_id = ${id}::uuid GROUP BY 1, 2 HAVING sum(started) <> 0 ORDER BY 1, 2`);
  const rawStarted = await exec(sql`
    SELECT analytics_hour(start_time) AS hour, conversation_id, 1 AS started FROM conversations
     WHERE business_id = ${id}::uuid ORDER BY 1, 2`);
  return {
    rollup: { daily, hours, firsts, starts, started },
    raw: { daily: rawDaily, hours: rawHours, firsts: rawFirsts, starts: rawStarts, started: rawStarted },
  };
}
async function expectFoldedAsRaw(business: CreatedBusiness) {
  const { rollup, raw } = await rollupAndRaw(business);
  expect(raw.daily.length).toBeGreaterThan(0);
  expect(rollup).toEqual(raw);
}

describe('the messages’ rollup fold', () => {
  it('adds messages of every batch size, kind and day, in a chat and in the simulator, as their raw rows count them', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const conversationIds = [
      await conversationOf(p, business),
      await conversationOf(p, business, { channel: 'simulator' }),
    ];
    await fold();
    await expectFoldedAsRaw(business);
    for (const size of [1, 2, 5, 9]) {
      for (const conversationId of conversationIds) {
        await insertMessages(Array.from({ length: size }, () => message(business, conversationId)));
      }
    }
    // Nothing is counted in the writing transaction any more: before the fold, the rollups still
    // hold only the two chats' turns.
    const { rollup, raw } = await rollupAndRaw(business);
    expect(rollup.daily.reduce((sum, row) => sum + Number(row.messages), 0)).toBe(4);
    expect(raw.daily.reduce((sum, row) => sum + Number(row.messages), 0)).toBe(4 + 2 * (1 + 2 + 5 + 9));
    expect(await fold()).toBe(2 * (1 + 2 + 5 + 9));
    await expectFoldedAsRaw(business);
  });

  it('adds each message once: a second fold adds nothing, a later message is added by the next', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const conversationId = await conversationOf(p, business);
    await fold();
    await expectFoldedAsRaw(business);
    expect(await fold()).toBe(0);
    await insertMessages([message(business, conversationId)]);
    expect(await fold()).toBe(1);
    await expectFoldedAsRaw(business);
  });

  it('moves a changed message’s counts only when it had been folded', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const conversationId = await conversationOf(p, business);
    const folded = await insertMessages(Array.from({ length: 6 }, () => message(business, conversationId)));
    await fold();
    const unfolded = await insertMessages(Array.from({ length: 6 }, () => message(business, conversationId)));
    // Every counted column, on folded and unfolded messages alike: sender, skipped status, fallback
    // flag, day (and hour).
    for (const rows of [folded, unfolded]) {
      const ids = rows.map((row) => String(row.message_id));
      await exec(
        sql`UPDATE messages SET sender_type = 'agent', status = 'sent' WHERE message_id = ${ids[0]}::uuid`,
      );
      await exec(
        sql`UPDATE messages SET sender_type = 'user', status = 'skipped' WHERE message_id = ${ids[1]}::uuid`,
      );
      await exec(sql`UPDATE messages SET sender_type = 'assistant', metadata = '{"fallback": true}'
                      WHERE message_id = ${ids[2]}::uuid`);
      await exec(sql`UPDATE messages SET created_at = created_at - interval '3 days 2 hours'
                      WHERE message_id = ${ids[3]}::uuid`);
    }
    await fold();
    await expectFoldedAsRaw(business);
  });

  it('subtracts a deleted message only when it had been folded, whether deleted alone or with its conversation', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const kept = await conversationOf(p, business);
    const deleted = await conversationOf(p, business);
    const folded = await insertMessages([
      message(business, kept),
      message(business, kept),
      message(business, deleted),
    ]);
    await fold();
    const unfolded = await insertMessages([
      message(business, kept),
      message(business, kept),
      message(business, deleted),
    ]);
    for (const row of [folded[0], unfolded[0]]) {
      await exec(sql`DELETE FROM messages WHERE message_id = ${String(row?.message_id)}::uuid`);
    }
    await exec(sql`DELETE FROM conversations WHERE conversation_id = ${deleted}::uuid`);
    await fold();
    await expectFoldedAsRaw(business);
  });

  it("moves only folded messages when a conversation's channel changes", async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const conversationId = await conversationOf(p, business);
    await insertMessages([message(business, conversationId), message(business, conversationId)]);
    await fold();
    await insertMessages([message(business, conversationId)]);
    await exec(
      sql`UPDATE conversations SET channel = 'simulator' WHERE conversation_id = ${conversationId}::uuid`,
    );
    await fold();
    await expectFoldedAsRaw(business);
    expect((await rollupAndRaw(business)).rollup.daily.every((row) => row.simulator === true)).toBe(true);
  });
});

describe('a conversation’s first processed customer message, looked up again by the fold', () => {
  const setStage = (messageId: unknown, stage: string) =>
    exec(sql`UPDATE messages SET stage_id = ${stage}::uuid WHERE message_id = ${String(messageId)}::uuid`);
  const queued = async (conversationId: string) =>
    Number(
      (
        await exec(sql`SELECT count(*)::int AS n FROM analytics_first_message_queue
                        WHERE conversation_id = ${conversationId}::uuid`)
      )[0]?.n,
    );

  it('is not written by the turn that processes it, and is added once by the next fold', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const conversationId = await conversationOf(p, business);
    const before = await rollupAndRaw(business);
    expect(before.raw.firsts).toHaveLength(1);
    expect(before.rollup.firsts).toEqual([]);
    expect(await queued(conversationId)).toBe(1);
    await fold();
    await expectFoldedAsRaw(business);
    expect(await queued(conversationId)).toBe(0);
    // Later turns of the conversation queue nothing: an earlier processed message is found first.
    await conversationOf(p, business, { conversation_id: conversationId });
    expect(await queued(conversationId)).toBe(0);
    await fold();
    await expectFoldedAsRaw(business);
  });

  it('follows the first message wherever an insert, an update or a delete moves it', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const conversationId = await conversationOf(p, business);
    await fold();
    // An earlier processed message arrives late, hours before, in another stage: it is the first now.
    const late = await insertProcessed(conversationId, -1, stageA, 5);
    await fold();
    await expectFoldedAsRaw(business);
    // Its stage changes, then it stops counting (skipped): the turn's message is the first again.
    await setStage(late, stageB);
    await fold();
    await expectFoldedAsRaw(business);
    await exec(sql`UPDATE messages SET status = 'skipped' WHERE message_id = ${String(late)}::uuid`);
    await fold();
    await expectFoldedAsRaw(business);
    // Several changes between two folds: only where they leave it counts.
    await exec(sql`UPDATE messages SET status = 'processed' WHERE message_id = ${String(late)}::uuid`);
    await setStage(late, stageA);
    await exec(sql`DELETE FROM messages WHERE conversation_id = ${conversationId}::uuid AND sender_type = 'user'
                     AND message_id <> ${String(late)}::uuid`);
    await fold();
    await expectFoldedAsRaw(business);
    expect((await rollupAndRaw(business)).rollup.firsts).toEqual([
      expect.objectContaining({ stage_id: stageA, conversation_id: conversationId, first: 1 }),
    ]);
  });

  it('leaves nothing of a conversation deleted before the fold, and keeps the first through a channel change', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const deleted = await conversationOf(p, business);
    const moved = await conversationOf(p, business);
    await exec(sql`DELETE FROM conversations WHERE conversation_id = ${deleted}::uuid`);
    await exec(sql`UPDATE conversations SET channel = 'simulator' WHERE conversation_id = ${moved}::uuid`);
    await fold();
    await expectFoldedAsRaw(business);
    expect(await queued(deleted)).toBe(0);
    const { rollup } = await rollupAndRaw(business);
    expect(rollup.firsts.map((row) => row.conversation_id)).toEqual([moved]);
  });
});

describe('a conversation’s start, counted by the fold', () => {
  const queued = async (business: CreatedBusiness) =>
    Number(
      (
        await exec(sql`SELECT count(*)::int AS n FROM analytics_conversation_queue
                        WHERE business_id = ${business.business_id}::uuid`)
      )[0]?.n,
    );
  const moveStart = (conversationId: string, interval: string) =>
    exec(sql`UPDATE conversations SET start_time = start_time - ${interval}::interval
              WHERE conversation_id = ${conversationId}::uuid`);

  it('is not counted by the turn that starts it, and is counted once by the next fold', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    await conversationOf(p, business);
    const before = await rollupAndRaw(business);
    expect(before.raw.starts).toHaveLength(1);
    expect(before.rollup.starts).toEqual([]);
    expect(before.rollup.started).toEqual([]);
    expect(await queued(business)).toBe(1);
    await fold();
    await expectFoldedAsRaw(business);
    expect(await queued(business)).toBe(0);
    await fold();
    await expectFoldedAsRaw(business);
  });

  it('follows a start, a channel and an id wherever a change moves them, and a delete, folded or not', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const folded = await conversationOf(p, business);
    await fold();
    const unfolded = await conversationOf(p, business);
    // Starts moved to another day and hour, before and after their conversation was folded.
    await moveStart(folded, '1 day 3 hours');
    await moveStart(unfolded, '2 days 5 hours');
    await fold();
    await expectFoldedAsRaw(business);
    // A channel change, a folded and an unfolded delete, and, for conversations without messages, an id
    // change and an insert deleted again before any fold.
    const renamed = await insertConversation(folded, 30);
    await fold();
    const deletedFolded = await conversationOf(p, business);
    await fold();
    const deletedUnfolded = await conversationOf(p, business);
    await exec(sql`UPDATE conversations SET channel = 'simulator' WHERE conversation_id = ${unfolded}::uuid`);
    await exec(sql`UPDATE conversations SET conversation_id = gen_random_uuid()
                    WHERE conversation_id = ${renamed}::uuid`);
    const fleeting = await insertConversation(folded, 2);
    await exec(sql`DELETE FROM conversations
                    WHERE conversation_id IN (${deletedFolded}::uuid, ${deletedUnfolded}::uuid, ${fleeting}::uuid)`);
    await fold();
    await expectFoldedAsRaw(business);
    const { rollup } = await rollupAndRaw(business);
    expect(rollup.starts.some((row) => row.simulator === true)).toBe(true);
    expect(rollup.started.map((row) => row.conversation_id)).not.toContain(renamed);
    expect(await queued(business)).toBe(0);
  });
});

describe.runIf(process.env.DATABASE_URL)('the messages’ rollup fold beside an open transaction', () => {
  it('adds a message whose transaction commits after a fold ran, once, at the next fold', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const conversationId = await conversationOf(p, business);
    const commit = await heldOpen(p.t.database.db, (tx) =>
      insertMessages([message(business, conversationId)], tx),
    );
    // The fold runs while the message's transaction is open: it cannot see it, and must not pass it.
    try {
      await insertMessages([message(business, conversationId)]);
      await fold();
      await expectFoldedAsRaw(business);
    } finally {
      await commit();
    }
    const { rollup, raw } = await rollupAndRaw(business);
    expect(rollup).not.toEqual(raw);
    await fold();
    await expectFoldedAsRaw(business);
    expect(await fold()).toBe(0);
  });

  /**
   * `write` runs in a transaction held open while a fold runs, which must neither count it nor pass
   * it: once it commits, the rollup's `part` differs from the raw rows' until the next fold.
   */
  async function expectCountedAtNextFold(
    business: CreatedBusiness,
    part: keyof Awaited<ReturnType<typeof rollupAndRaw>>['raw'],
    write: (tx: Executor) => Promise<unknown>,
  ) {
    await fold();
    const commit = await heldOpen(p.t.database.db, write);
    try {
      await fold();
      await expectFoldedAsRaw(business);
    } finally {
      await commit();
    }
    const committed = await rollupAndRaw(business);
    expect(committed.rollup[part]).not.toEqual(committed.raw[part]);
    await fold();
    await expectFoldedAsRaw(business);
  }

  it('adds a first message whose transaction commits after a fold ran, once, at the next fold', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const conversationId = await conversationOf(p, business);
    // A late customer message, processed hours before the turn's: the first once it commits.
    await expectCountedAtNextFold(business, 'firsts', (tx) =>
      insertProcessed(conversationId, -1, stageA, 3, tx),
    );
  });

  it('counts a conversation whose transaction commits after a fold ran, once, at the next fold', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const conversationId = await conversationOf(p, business);
    await expectCountedAtNextFold(business, 'starts', (tx) => insertConversation(conversationId, 4, tx));
  });

  it('does not fold while a transaction that changed an unfolded message is open', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const conversationId = await conversationOf(p, business);
    const [row] = await insertMessages([message(business, conversationId)]);
    // Committed, not folded; the change is left to the fold, which must then read the changed row.
    const commit = await heldOpen(p.t.database.db, (tx) =>
      exec(
        sql`UPDATE messages SET sender_type = 'agent', status = 'sent', created_at = created_at - interval '2 days'
             WHERE message_id = ${String(row?.message_id)}::uuid`,
        tx,
      ),
    );
    let skipped: number | null;
    try {
      skipped = await foldCommittedRows(p.t.database.db, 'messages', { wait: false });
    } finally {
      await commit();
    }
    expect(skipped).toBeNull();
    await fold();
    await expectFoldedAsRaw(business);
  });
});

// Last in the file: once started, the job folds beside the tests above.
describe('the background fold', () => {
  it('folds messages and LLM calls in every process, each table on its own', async () => {
    const business = await createBusiness(p.t.app, p.t.masterKey);
    const conversationId = await conversationOf(p, business);
    await insertMessages([message(business, conversationId), message(business, conversationId)]);
    const llmCalls = () =>
      exec(sql`SELECT (SELECT coalesce(sum(calls), 0) FROM analytics_daily_llm
                        WHERE business_id = ${business.business_id}::uuid)::int AS folded,
                      (SELECT count(*) FROM llm_calls WHERE business_id = ${business.business_id}::uuid)::int AS raw`);
    const [calls] = await llmCalls();
    expect(Number(calls?.raw)).toBeGreaterThan(0);
    expect(calls?.folded).not.toBe(calls?.raw);
    await p.t.app.startBackgroundWork?.();
    await vi.waitFor(
      async () => {
        await expectFoldedAsRaw(business);
        const [after] = await llmCalls();
        expect(after?.folded).toBe(after?.raw);
      },
      { timeout: 30_000, interval: 200 },
    );
  });
});
