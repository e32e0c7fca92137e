import { type SQL, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { rowsOf } from '../../db/raw-rows.js';

/** One business over `[from, to]` (inclusive; ISO 8601 instants). */
export interface AnalyticsScope {
  businessId: string;
  from: string;
  to: string;
  /** Count the dashboard simulator's test conversations too (default: left out). */
  includeSimulator?: boolean;
  /**
   * The whole UTC days of the range, `[first, end)` as YYYY-MM-DD, read from the daily rollups (the
   * raw rows only for the partial days around them); null reads every row of the range raw.
   */
  wholeDays: { first: string; end: string } | null;
  /**
   * The whole UTC hours of the range, `[first, end)` as ISO instants, read from the hourly
   * per-conversation rollups for the distinct counts (the raw rows only for the partial first and
   * last hour); null reads them raw.
   */
  wholeHours: { first: string; end: string } | null;
  /**
   * The raw rows read with the daily rollups (default: the partial first and last day, added). A
   * partial day may instead be read whole from its rollup with the rows outside the range taken out
   * (`sign: -1`) when those are fewer — for a range ending now, the last day's are none.
   */
  rawRanges?: RawRange[];
}

/** Rows with `from <= t < to` (`toInclusive`: `<= to`; `fromExclusive`: `from < t`), counted `sign` times. */
export interface RawRange {
  from: string;
  to: string;
  fromExclusive?: boolean;
  toInclusive?: boolean;
  sign: 1 | -1;
}

/** Conversation `c` counts: not a simulator test chat, unless those are included. */
const realConversation = (s: AnalyticsScope, channel: SQL) =>
  s.includeSimulator ? sql`TRUE` : sql`${channel} <> 'simulator'`;

/**
 * A row of a conversation's (messages, LLM calls, facts, transitions) that counts, by the same rule:
 * its conversation is not one of the business's simulator chats — a hashed NOT IN over the few ids
 * conversations_simulator_idx holds, not a conversation lookup per row.
 */
const ofRealConversation = (s: AnalyticsScope, conversationId: SQL) =>
  s.includeSimulator
    ? sql`TRUE`
    : sql`(${conversationId} IS NULL OR ${conversationId} NOT IN (SELECT sc.conversation_id FROM conversations sc
            WHERE sc.business_id = ${s.businessId}::uuid AND sc.channel = 'simulator'))`;

// Every query starts from `business_id = …` and a time range, so each is served by the business's
// (business_id, created_at | last_updated) index or the rollups' (business_id, day, …) keys. Days
// are UTC whatever the session's TimeZone. pg returns bigint/numeric as strings (PGlite does not):
// callers convert with Number().

const utcDay = (column: SQL) => sql`(${column} AT TIME ZONE 'UTC')::date`;

const between = (column: SQL, s: AnalyticsScope) =>
  sql`${column} >= ${s.from}::timestamptz AND ${column} <= ${s.to}::timestamptz`;

const rawRangesOf = (s: AnalyticsScope): RawRange[] =>
  s.rawRanges ??
  (s.wholeDays
    ? [
        { from: s.from, to: `${s.wholeDays.first}T00:00:00.000Z`, sign: 1 },
        { from: `${s.wholeDays.end}T00:00:00.000Z`, to: s.to, toInclusive: true, sign: 1 },
      ]
    : [{ from: s.from, to: s.to, toInclusive: true, sign: 1 }]);

const inRange = (column: SQL, r: RawRange) =>
  sql`(${column} ${r.fromExclusive ? sql`>` : sql`>=`} ${r.from}::timestamptz
       AND ${column} ${r.toInclusive ? sql`<=` : sql`<`} ${r.to}::timestamptz)`;

/** The raw rows read besides the rollups: the partial first and last day (or the whole range). */
const rawPart = (column: SQL, s: AnalyticsScope) => {
  const ranges = rawRangesOf(s);
  return ranges.length
    ? sql`(${sql.join(
        ranges.map((r) => inRange(column, r)),
        sql` OR `,
      )})`
    : sql`FALSE`;
};

/** How a raw row counts: 1, or -1 in a range taken out of a day read whole from its rollup. */
const rawSign = (column: SQL, s: AnalyticsScope) => {
  const out = rawRangesOf(s).filter((r) => r.sign < 0);
  return out.length
    ? sql`(CASE WHEN ${sql.join(
        out.map((r) => inRange(column, r)),
        sql` OR `,
      )} THEN -1 ELSE 1 END)`
    : sql`1`;
};

/**
 * Rollup rows of the range's whole days that count (`r`: the rollup table). A key (business, day,
 * simulator, …) has a row per slot its writers used (migration 0017), any of which may be negative:
 * every reader sums them and filters on the sum, never on a row.
 */
const rollupPart = (s: AnalyticsScope) =>
  s.wholeDays
    ? sql`r.business_id = ${s.businessId}::uuid AND r.day >= ${s.wholeDays.first}::date
          AND r.day < ${s.wholeDays.end}::date ${s.includeSimulator ? sql`` : sql`AND NOT r.simulator`}`
    : sql`FALSE`;

/**
 * The conversations an overview counts: started in the range, or with a message in it (`active`).
 * The `last_updated` bound (a message's append moves it to now()) keeps the scan on
 * conversations_business_updated_idx; the probe (a LIMIT 1 subquery, so the planner cannot turn it
 * into a hash of every tenant's messages in the range) reads one conversation's messages.
 */
const rangeConversations = (s: AnalyticsScope) => sql`
  SELECT c.conversation_id, c.user_id, c.stage_id, c.start_time, c.collected_data,
         coalesce((SELECT TRUE FROM messages cm
                    WHERE cm.conversation_id = c.conversation_id AND ${between(sql`cm.created_at`, s)}
                    LIMIT 1), FALSE) AS active
    FROM conversations c
   WHERE c.business_id = ${s.businessId}::uuid
     AND ${realConversation(s, sql`c.channel`)}
     AND c.last_updated >= ${s.from}::timestamptz
     AND c.start_time <= ${s.to}::timestamptz`;

/**
 * Runs dashboard queries in a transaction whose statement_timeout is `ms`: a tenant's heavy range
 * cannot hold a connection for minutes (the error handler turns the cancel, 57014, into a 503).
 */
export async function withStatementTimeout<T>(
  db: Db,
  ms: number,
  run: (tx: DbOrTx) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    // work_mem: the distinct counts hash and sort tens of thousands of ids; at the default 4 MB
    // they spilled to disk. plan_cache_mode: the pool prepares a statement it has seen twice
    // (db/client.ts), and after five executions PostgreSQL may switch a prepared statement to a
    // generic plan; without the range's instants it guessed a few rows and looped over ~33,000
    // conversations (the 30-day overview of the 1M fixture went from ~0.3 s to 2–2.6 s on the sixth
    // run on a connection). Dashboard statements are planned for their parameters every time.
    // max_parallel_workers_per_gather: an overview already runs its statements side by side, one
    // connection each, so parallel workers only add their launch; with them the stage entries took
    // ~72 ms of 115 ms waiting for the Gather's first row on the 1M fixture (35 ms without), and a
    // tenant's dashboard does not take the workers other sessions' queries could use.
    await tx.execute(
      sql`SELECT set_config('statement_timeout', ${String(ms)}, true), set_config('work_mem', '16MB', true),
                 set_config('plan_cache_mode', 'force_custom_plan', true),
                 set_config('max_parallel_workers_per_gather', '0', true)`,
    );
    return run(tx);
  });
}

export async function businessExists(db: DbOrTx, businessId: string): Promise<boolean> {
  const rows = rowsOf(
    await db.execute(sql`SELECT 1 AS found FROM businesses WHERE business_id = ${businessId}::uuid`),
  );
  return rows.length > 0;
}

/**
 * Message counts of the range per UTC day (rollup days plus the partial days' raw rows): the totals
 * are their sums, and the per-day series takes its messages from here (one pass over the raw rows).
 */
export async function queryMessageTotals(db: DbOrTx, s: AnalyticsScope) {
  const rows = rowsOf(
    await db.execute(sql`
    SELECT to_char(t.day, 'YYYY-MM-DD') AS day,
           coalesce(sum(t.messages), 0) AS messages,
           coalesce(sum(t.user_messages), 0) AS user_messages,
           coalesce(sum(t.assistant_messages), 0) AS assistant_messages,
           coalesce(sum(t.agent_messages), 0) AS agent_messages,
           coalesce(sum(t.fallback_replies), 0) AS fallback_replies,
           coalesce(sum(t.ai_stopped_messages), 0) AS ai_stopped_messages
      FROM (SELECT r.day, r.messages, r.user_messages, r.assistant_messages, r.agent_messages,
                   r.fallback_replies, r.ai_stopped_messages
              FROM analytics_daily r
             WHERE ${rollupPart(s)}
            UNION ALL
            SELECT ${utcDay(sql`m.created_at`)}, sum(m.sign),
                   coalesce(sum(m.sign) FILTER (WHERE m.sender_type = 'user'), 0),
                   coalesce(sum(m.sign) FILTER (WHERE m.sender_type = 'assistant'), 0),
                   coalesce(sum(m.sign) FILTER (WHERE m.sender_type = 'agent'), 0),
                   coalesce(sum(m.sign) FILTER (WHERE m.sender_type = 'assistant'
                                                  AND m.metadata ->> 'fallback' = 'true'), 0),
                   coalesce(sum(m.sign) FILTER (WHERE m.sender_type = 'user' AND m.status = 'skipped'), 0)
              FROM (SELECT m.*, ${rawSign(sql`m.created_at`, s)} AS sign FROM messages m
             WHERE m.business_id = ${s.businessId}::uuid AND ${rawPart(sql`m.created_at`, s)}
               AND ${ofRealConversation(s, sql`m.conversation_id`)}) AS m
             GROUP BY 1) AS t
     GROUP BY t.day`),
  );
  const sum = (key: string) => rows.reduce((total, row) => total + Number(row[key] ?? 0), 0);
  return {
    totals: {
      messages: sum('messages'),
      user_messages: sum('user_messages'),
      assistant_messages: sum('assistant_messages'),
      agent_messages: sum('agent_messages'),
      fallback_replies: sum('fallback_replies'),
      ai_stopped_messages: sum('ai_stopped_messages'),
    },
    perDay: new Map(rows.map((row) => [String(row.day), Number(row.messages)])),
  };
}

/**
 * What needs the range's conversations one by one (distinct counts do not add up across days), in
 * one pass over them: counted / new / active conversations, distinct customers, conversations now
 * in each stage, conversations that entered each stage, and the most frequent collected_data keys.
 * The raw reading (`wholeHours: null`), the reference the rollup readings are tested against; with
 * the hourly rollups the overview runs queryConversationSet and queryCustomersAndKeys instead.
 */
export async function queryConversationStats(db: DbOrTx, s: AnalyticsScope, maxKeys: number) {
  const rows = rowsOf(
    await db.execute(sql`
    WITH conv AS MATERIALIZED (
      -- OFFSET 0: the subquery is not flattened, so \`active\` is probed once per conversation.
      SELECT * FROM (${rangeConversations(s)} OFFSET 0) AS rc
       WHERE rc.active OR rc.start_time >= ${s.from}::timestamptz
    ),
    -- A conversation starts in the stage that processed its first customer message (if in the range).
    started AS (
      SELECT f.stage_id, conv.conversation_id
        FROM conv
       CROSS JOIN LATERAL (SELECT m.stage_id, m.created_at FROM messages m
                            WHERE m.conversation_id = conv.conversation_id AND m.sender_type = 'user'
                              AND m.status = 'processed'
                            ORDER BY m.sequence_number LIMIT 1) AS f
       WHERE conv.active AND f.stage_id IS NOT NULL AND ${between(sql`f.created_at`, s)}
    ),
    entered AS (
      SELECT t.to_stage_id AS stage_id, t.conversation_id
        FROM stage_transitions t
        LEFT JOIN conversations tc ON tc.conversation_id = t.conversation_id
       WHERE t.business_id = ${s.businessId}::uuid AND ${between(sql`t.created_at`, s)}
         AND t.to_stage_id IS NOT NULL
         AND (tc.conversation_id IS NULL OR ${realConversation(s, sql`tc.channel`)})
      UNION
      SELECT stage_id, conversation_id FROM started
    ),
    keys AS (
      -- The set-returning function in the select list (ProjectSet), not a function scan per row.
      SELECT k.key, count(*) AS n
        FROM (SELECT jsonb_object_keys(CASE WHEN jsonb_typeof(conv.collected_data) = 'object'
                                            THEN conv.collected_data ELSE '{}'::jsonb END) AS key
                FROM conv) AS k
       GROUP BY k.key
    )
    SELECT 'total' AS kind, NULL AS key, count(*) AS n FROM conv
    UNION ALL
    SELECT 'new', NULL, count(*) FROM conv WHERE conv.start_time >= ${s.from}::timestamptz
    UNION ALL
    SELECT 'active', NULL, count(*) FROM conv WHERE conv.active
    UNION ALL
    SELECT 'users', NULL, count(DISTINCT conv.user_id) FROM conv
    UNION ALL
    SELECT 'current', conv.stage_id::text, count(*) FROM conv WHERE conv.stage_id IS NOT NULL GROUP BY conv.stage_id
    UNION ALL
    SELECT 'entered', entered.stage_id::text, count(*) FROM entered GROUP BY entered.stage_id
    UNION ALL
    SELECT 'key', keys.key, keys.n FROM keys`),
  );
  return {
    conversations: countOf(rows, 'total'),
    new_conversations: countOf(rows, 'new'),
    active_conversations: countOf(rows, 'active'),
    users: countOf(rows, 'users'),
    current: perStage(rows, 'current'),
    entered: perStage(rows, 'entered'),
    keys: topKeys(perStage(rows, 'key'), maxKeys),
  };
}

const countOf = (rows: Record<string, unknown>[], kind: string) =>
  Number(rows.find((row) => row.kind === kind)?.n ?? 0);

const perStage = (rows: Record<string, unknown>[], kind: string) =>
  new Map(rows.filter((row) => row.kind === kind).map((row) => [String(row.key), Number(row.n)]));

/** The `max` keys in most conversations (ties by key, byte order), without those in none. */
const topKeys = (counts: Map<string, number>, max: number) =>
  [...counts]
    .filter(([, conversations]) => conversations > 0)
    .map(([key, conversations]) => ({ key, conversations }))
    .sort((a, b) => b.conversations - a.conversations || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, max);

/** The raw rows the hourly rollups do not cover: the partial first and last hour of the range. */
const hourEdges = (column: SQL, s: AnalyticsScope, hours: { first: string; end: string }) =>
  sql`((${column} >= ${s.from}::timestamptz AND ${column} < ${hours.first}::timestamptz)
    OR (${column} >= ${hours.end}::timestamptz AND ${column} <= ${s.to}::timestamptz))`;

/**
 * The conversations the raw reading looks at before it asks which are active: the business's
 * conversations updated since `from` (conversations_business_updated_idx; a message moves
 * last_updated) and started by `to`, simulator chats left out unless asked for.
 */
const candidateConversations = (s: AnalyticsScope) => sql`
  FROM conversations c
 WHERE c.business_id = ${s.businessId}::uuid
   AND ${realConversation(s, sql`c.channel`)}
   AND c.last_updated >= ${s.from}::timestamptz
   AND c.start_time <= ${s.to}::timestamptz`;

/**
 * The counted conversations from the hourly rollups: the candidates that had a message in the range
 * (analytics_conversation_hour's whole hours, the partial hours' raw messages: hashed once) or
 * started in it — counted, new, active and now in each stage. The few candidates that are neither
 * ("left out": updated in the range without a message in it) come back with what
 * queryCustomersAndKeys counted for them over all candidates: their keys, and how many of their
 * customers have no counted conversation (the hashed NOT IN is only built when one is left out).
 */
export async function queryConversationSet(
  db: DbOrTx,
  s: AnalyticsScope,
  hours: { first: string; end: string },
) {
  const rows = rowsOf(
    await db.execute(sql`
    WITH act AS (
      SELECT h.conversation_id
        FROM analytics_conversation_hour h
       WHERE h.business_id = ${s.businessId}::uuid
         AND h.hour >= ${hours.first}::timestamptz AND h.hour < ${hours.end}::timestamptz
         AND h.messages > 0
      UNION ALL
      SELECT m.conversation_id FROM messages m
       WHERE m.business_id = ${s.businessId}::uuid AND ${hourEdges(sql`m.created_at`, s, hours)}
    ),
    cand AS MATERIALIZED (
      -- A hashed IN rather than a join and a GROUP BY of the hour rows (the ids of several hours of a
      -- conversation need no grouping); OFFSET 0 keeps \`active\` one hashed subplan, not one per use.
      SELECT rc.*, rc.active OR rc.started AS counted FROM (
        SELECT c.conversation_id, c.user_id, c.stage_id,
               c.conversation_id IN (SELECT act.conversation_id FROM act) AS active,
               c.start_time >= ${s.from}::timestamptz AS started
          ${candidateConversations(s)}
        OFFSET 0) AS rc
    ),
    left_out AS (
      SELECT c.conversation_id, c.user_id FROM cand c WHERE NOT c.counted
    )
    SELECT v.kind, NULL AS key, v.n
      FROM (SELECT count(*) FILTER (WHERE cand.counted) AS total,
                   count(*) FILTER (WHERE cand.started) AS new,
                   count(*) FILTER (WHERE cand.active) AS active
              FROM cand) AS t,
           LATERAL (VALUES ('total', t.total), ('new', t.new), ('active', t.active)) AS v(kind, n)
    UNION ALL
    SELECT 'current', cand.stage_id::text, count(*) FROM cand WHERE cand.counted AND cand.stage_id IS NOT NULL
     GROUP BY cand.stage_id
    UNION ALL
    SELECT 'left_out_users', NULL, count(DISTINCT l.user_id) FROM left_out l
     WHERE l.user_id NOT IN (SELECT cand.user_id FROM cand WHERE cand.counted)
    UNION ALL
    -- LATERAL: a primary-key lookup per conversation left out, never a scan of the conversations.
    SELECT 'left_out_key', k.key, count(*)
      FROM left_out l
     CROSS JOIN LATERAL (SELECT jsonb_object_keys(CASE WHEN jsonb_typeof(c.collected_data) = 'object'
                                                       THEN c.collected_data ELSE '{}'::jsonb END) AS key
                           FROM conversations c WHERE c.conversation_id = l.conversation_id) AS k
     GROUP BY k.key`),
  );
  return {
    conversations: countOf(rows, 'total'),
    new_conversations: countOf(rows, 'new'),
    active_conversations: countOf(rows, 'active'),
    current: perStage(rows, 'current'),
    leftOutUsers: countOf(rows, 'left_out_users'),
    leftOutKeys: perStage(rows, 'left_out_key'),
  };
}

/**
 * Distinct customers and collected_data key counts over every candidate conversation (see
 * queryConversationSet, which finds the few not counted and what to take back for them): no active
 * set to build, so it runs beside that statement on another connection and the overview waits for
 * the longer of the two, not their sum.
 */
export async function queryCustomersAndKeys(db: DbOrTx, s: AnalyticsScope) {
  const rows = rowsOf(
    await db.execute(sql`
    WITH cand AS MATERIALIZED (
      SELECT c.user_id, c.collected_data ${candidateConversations(s)}
    )
    -- count(DISTINCT)'s sort: a hashed DISTINCT (estimated at 200 groups, grown to ~33,000 on the 1M
    -- fixture) was 15–30 % slower (medians of 11, interleaved).
    SELECT 'users' AS kind, NULL AS key, count(DISTINCT cand.user_id) AS n FROM cand
    UNION ALL
    -- The set-returning function in the select list (ProjectSet), not a function scan per row.
    SELECT 'key', k.key, count(*)
      FROM (SELECT jsonb_object_keys(CASE WHEN jsonb_typeof(cand.collected_data) = 'object'
                                          THEN cand.collected_data ELSE '{}'::jsonb END) AS key
              FROM cand) AS k
     GROUP BY k.key`),
  );
  return { users: countOf(rows, 'users'), keys: perStage(rows, 'key') };
}

/** queryConversationSet and queryCustomersAndKeys as queryConversationStats answers (`entered` aside). */
export function mergeConversationStats(
  set: Awaited<ReturnType<typeof queryConversationSet>>,
  all: Awaited<ReturnType<typeof queryCustomersAndKeys>>,
  maxKeys: number,
) {
  const keys = new Map(all.keys);
  for (const [key, n] of set.leftOutKeys) keys.set(key, (keys.get(key) ?? 0) - n);
  return {
    conversations: set.conversations,
    new_conversations: set.new_conversations,
    active_conversations: set.active_conversations,
    users: all.users - set.leftOutUsers,
    current: set.current,
    keys: topKeys(keys, maxKeys),
  };
}

/** The conversation started by the end of the range. */
const startedBy = (s: AnalyticsScope, conversationId: SQL) =>
  sql`${conversationId} NOT IN (SELECT lc.conversation_id FROM conversations lc
                                 WHERE lc.business_id = ${s.businessId}::uuid AND lc.start_time > ${s.to}::timestamptz)`;

/**
 * Conversations that entered each stage in the range, from the hourly rollups: transitions into it
 * (analytics_stage_entry_hour's whole hours, the partial hours' raw transitions) and first processed
 * customer messages processed in it. Its own statement, so that it runs beside the conversations' pass
 * (queryConversationStats) on another connection. The raw reading counts a first message only for a
 * counted, active conversation. One whose first processed message is in the range has a message in it
 * (active), and its last_updated (moved to now() by every append) is after it; but a message can be
 * dated before its conversation's start (a late delivery), so a conversation started after the range
 * is left out — a hashed NOT IN over the few the (business_id, start_time) index finds for a recent range.
 */
export async function queryStageEntries(
  db: DbOrTx,
  s: AnalyticsScope,
  hours: { first: string; end: string },
) {
  const rows = rowsOf(
    await db.execute(sql`
    -- count(DISTINCT) sorts the ~34,000 (stage, conversation) pairs of a 30-day range in half the
    -- time a hashed DISTINCT of them took (its estimate of ~1,500 groups grew the table over and over).
    SELECT 'entered' AS kind, y.stage_id::text AS key, count(DISTINCT y.conversation_id) AS n
              FROM (SELECT e.stage_id, e.conversation_id
                      FROM analytics_stage_entry_hour e
                     WHERE e.business_id = ${s.businessId}::uuid
                       AND e.hour >= ${hours.first}::timestamptz AND e.hour < ${hours.end}::timestamptz
                       AND (e.transitions > 0 OR (e.first > 0 AND ${startedBy(s, sql`e.conversation_id`)}))
                       AND ${ofRealConversation(s, sql`e.conversation_id`)}
                    UNION ALL
                    SELECT t.to_stage_id, t.conversation_id
                      FROM stage_transitions t
                     WHERE t.business_id = ${s.businessId}::uuid AND ${hourEdges(sql`t.created_at`, s, hours)}
                       AND t.to_stage_id IS NOT NULL AND ${ofRealConversation(s, sql`t.conversation_id`)}
                    UNION ALL
                    -- A partial hour's customer message that is its conversation's first processed one.
                    SELECT m.stage_id, m.conversation_id
                      FROM messages m
                     WHERE m.business_id = ${s.businessId}::uuid AND ${hourEdges(sql`m.created_at`, s, hours)}
                       AND m.sender_type = 'user' AND m.status = 'processed' AND m.stage_id IS NOT NULL
                       AND ${ofRealConversation(s, sql`m.conversation_id`)}
                       AND ${startedBy(s, sql`m.conversation_id`)}
                       AND NOT EXISTS (SELECT 1 FROM messages p
                                        WHERE p.conversation_id = m.conversation_id AND p.sender_type = 'user'
                                          AND p.status = 'processed' AND p.sequence_number < m.sequence_number)
                   ) AS y
     GROUP BY y.stage_id`),
  );
  return perStage(rows, 'entered');
}

/** Every UTC day of the range, oldest first, with the conversations started on it. */
export async function queryNewConversationsPerDay(db: DbOrTx, s: AnalyticsScope) {
  const rows = rowsOf(
    await db.execute(sql`
    SELECT to_char(d.day, 'YYYY-MM-DD') AS date, coalesce(x.conversations, 0) AS conversations
      FROM (SELECT g::date AS day
              FROM generate_series(date_trunc('day', ${s.from}::timestamptz AT TIME ZONE 'UTC'),
                                   date_trunc('day', ${s.to}::timestamptz AT TIME ZONE 'UTC'),
                                   interval '1 day') AS g) d
      LEFT JOIN (
        SELECT u.day, sum(u.conversations) AS conversations
          FROM (SELECT r.day, r.new_conversations AS conversations
                  FROM analytics_daily r WHERE ${rollupPart(s)}
                UNION ALL
                SELECT ${utcDay(sql`start_time`)}, sum(${rawSign(sql`start_time`, s)})
                  FROM conversations
                 WHERE business_id = ${s.businessId}::uuid AND ${rawPart(sql`start_time`, s)}
                   AND ${realConversation(s, sql`channel`)}
                 GROUP BY 1) AS u
         GROUP BY u.day) x ON x.day = d.day
     ORDER BY d.day`),
  );
  return rows.map((row) => ({ date: String(row.date), conversations: Number(row.conversations) }));
}

/** Every stage of the business (the first stage first) with its transitions in and out in the range. */
export async function queryStageTransitions(db: DbOrTx, s: AnalyticsScope) {
  const rows = rowsOf(
    await db.execute(sql`
    SELECT s.stage_id, s.stage_name,
           coalesce(t.transitions_in, 0) AS transitions_in,
           coalesce(t.transitions_out, 0) AS transitions_out
      FROM stages s
      JOIN businesses b ON b.business_id = s.business_id
      LEFT JOIN (
        SELECT u.stage_id, sum(u.tin) AS transitions_in, sum(u.tout) AS transitions_out
          FROM (SELECT r.stage_id, r.transitions_in AS tin, r.transitions_out AS tout
                  FROM analytics_daily_stage r WHERE ${rollupPart(s)}
                UNION ALL
                SELECT st.stage_id, st.tin * ${rawSign(sql`t.created_at`, s)}, st.tout * ${rawSign(sql`t.created_at`, s)}
                  FROM stage_transitions t
                 CROSS JOIN LATERAL (VALUES (t.to_stage_id, 1, 0), (t.from_stage_id, 0, 1)) AS st(stage_id, tin, tout)
                 WHERE t.business_id = ${s.businessId}::uuid AND ${rawPart(sql`t.created_at`, s)}
                   AND st.stage_id IS NOT NULL
                   AND ${ofRealConversation(s, sql`t.conversation_id`)}) AS u
         GROUP BY u.stage_id) t ON t.stage_id = s.stage_id
     WHERE s.business_id = ${s.businessId}::uuid
     ORDER BY (s.stage_id = b.first_stage_id) IS TRUE DESC, s.created_at, s.stage_id`),
  );
  return rows.map((row) => ({
    stage_id: String(row.stage_id),
    stage_name: String(row.stage_name),
    transitions_in: Number(row.transitions_in),
    transitions_out: Number(row.transitions_out),
  }));
}

/** LLM calls per step (call_type, most calls first) with their latency histograms (bucket → count). */
export async function queryLlm(db: DbOrTx, s: AnalyticsScope) {
  // One statement, one pass over the partial days' raw calls (grouped by step, latency bucket and
  // day) for the per-step sums, the histograms and the per-day series. Step rows carry their rank in
  // `bucket`.
  const rows = rowsOf(
    await db.execute(sql`
    WITH raw AS MATERIALIZED (
      SELECT call_type, analytics_latency_bucket(latency_ms) AS bucket, ${utcDay(sql`created_at`)} AS day,
             sum(sign) AS calls, coalesce(sum(sign) FILTER (WHERE status = 'error'), 0) AS errors,
             sum(sign * tokens_in) AS tokens_in, sum(sign * tokens_out) AS tokens_out,
             sum(sign * cost_usd::numeric) AS cost_usd
        FROM (SELECT l.*, ${rawSign(sql`l.created_at`, s)} AS sign FROM llm_calls l
               WHERE l.business_id = ${s.businessId}::uuid AND ${rawPart(sql`l.created_at`, s)}
                 AND ${ofRealConversation(s, sql`l.conversation_id`)}) AS l
       GROUP BY 1, 2, 3
    ),
    steps AS (
      SELECT u.call_type, sum(u.calls) AS calls, sum(u.errors) AS errors,
             sum(u.tokens_in) AS tokens_in, sum(u.tokens_out) AS tokens_out, sum(u.cost_usd) AS cost_usd
        FROM (SELECT r.call_type, r.calls, r.errors, r.tokens_in, r.tokens_out, r.cost_usd
                FROM analytics_daily_llm r WHERE ${rollupPart(s)}
              UNION ALL
              SELECT call_type, calls, errors, tokens_in, tokens_out, cost_usd FROM raw) AS u
       GROUP BY u.call_type
      HAVING sum(u.calls) > 0
    )
    SELECT 'step' AS kind, st.call_type, row_number() OVER (ORDER BY st.calls DESC, st.call_type) AS bucket,
           st.calls AS n, st.errors, st.tokens_in, st.tokens_out, st.cost_usd
      FROM steps st
    UNION ALL
    SELECT 'bucket', u.call_type, u.bucket, sum(u.n), NULL, NULL, NULL, NULL
      FROM (SELECT r.call_type, h.i::integer - 1 AS bucket, h.n::bigint AS n
              FROM analytics_daily_llm r
             CROSS JOIN LATERAL unnest(r.latency_hist) WITH ORDINALITY AS h(n, i)
             WHERE ${rollupPart(s)} AND h.n <> 0
            UNION ALL
            SELECT call_type, bucket, calls FROM raw) AS u
     GROUP BY u.call_type, u.bucket
    HAVING sum(u.n) <> 0
    UNION ALL
    SELECT 'day', to_char(d.day, 'YYYY-MM-DD'), NULL, sum(d.calls), sum(d.errors), NULL, NULL, NULL
      FROM (SELECT r.day, r.calls, r.errors FROM analytics_daily_llm r WHERE ${rollupPart(s)}
            UNION ALL
            SELECT day, calls, errors FROM raw) AS d
     GROUP BY d.day`),
  );
  return {
    steps: rows
      .filter((row) => row.kind === 'step')
      .sort((x, y) => Number(x.bucket) - Number(y.bucket))
      .map((row) => ({
        call_type: String(row.call_type),
        calls: Number(row.n),
        errors: Number(row.errors),
        tokens_in: Number(row.tokens_in),
        tokens_out: Number(row.tokens_out),
        cost_usd: Number(row.cost_usd),
      })),
    perDay: new Map(
      rows
        .filter((row) => row.kind === 'day')
        .map((row) => [String(row.call_type), { calls: Number(row.n), errors: Number(row.errors) }]),
    ),
    buckets: rows
      .filter((row) => row.kind === 'bucket')
      .map((row) => ({
        call_type: String(row.call_type),
        bucket: Number(row.bucket),
        n: Number(row.n),
      })),
  };
}

/** Distinct messages from which data was extracted in the range (raw: a message's facts may span days). */
export async function queryMessagesWithFacts(db: DbOrTx, s: AnalyticsScope) {
  const [row] = rowsOf(
    await db.execute(sql`
    SELECT count(DISTINCT message_id) AS n FROM extracted_data
     WHERE business_id = ${s.businessId}::uuid AND ${between(sql`created_at`, s)}
       AND ${ofRealConversation(s, sql`extracted_data.conversation_id`)}`),
  );
  return Number(row?.n ?? 0);
}

/** Every stage of the business (the first stage first) with the fields it must collect. */
export async function queryStageGoals(db: DbOrTx, businessId: string) {
  const rows = rowsOf(
    await db.execute(sql`
    SELECT s.stage_id, s.stage_name, s.required_fields
      FROM stages s
      JOIN businesses b ON b.business_id = s.business_id
     WHERE s.business_id = ${businessId}::uuid
     ORDER BY (s.stage_id = b.first_stage_id) IS TRUE DESC, s.created_at, s.stage_id`),
  );
  return rows.map((row) => ({
    stage_id: String(row.stage_id),
    stage_name: String(row.stage_name),
    required_fields: (fromJsonArray(row.required_fields) as string[]) ?? [],
  }));
}

const fromJsonArray = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : typeof value === 'string' ? (JSON.parse(value) as unknown[]) : [];

/**
 * Per stage, the visits that began in the range: a conversation enters a stage by a transition into it
 * or by having its first customer message (in the range) handled there; its visit is the first entry.
 * A visit is complete when the conversation moved on to another stage (by `to`) or holds every required
 * field of the stage (its time: the last extraction in that stage); it dropped off when, not complete,
 * the conversation is still in the stage and is closed or has been quiet for `quietHours` before `to`.
 * Rows: `visit` (entries, completions, drop-offs, median seconds to complete) and `missing` (required
 * fields absent at drop-off). Everything starts from the business's indexed (business_id, time) ranges;
 * per visit, lookups by conversation (stage_transitions_conversation_idx, extracted_data_conversation_idx).
 */
export async function queryStageVisits(db: DbOrTx, s: AnalyticsScope, quietHours: number) {
  const rows = rowsOf(await db.execute(stageVisitsSql(s, quietHours)));
  return {
    visits: rows
      .filter((row) => row.kind === 'visit')
      .map((row) => ({
        stage_id: String(row.stage_id),
        entries: Number(row.entries),
        completions: Number(row.completions),
        drop_offs: Number(row.drop_offs),
        median_seconds: row.median_seconds === null ? null : Number(row.median_seconds),
      })),
    missing: rows
      .filter((row) => row.kind === 'missing')
      .map((row) => ({ stage_id: String(row.stage_id), field: String(row.field), n: Number(row.entries) })),
  };
}

/** The statement of queryStageVisits (exported so its plan can be checked with EXPLAIN). */
export const stageVisitsSql = (s: AnalyticsScope, quietHours: number) => sql`
    WITH conv AS MATERIALIZED (
      SELECT * FROM (${rangeConversations(s)} OFFSET 0) AS rc
       WHERE rc.active OR rc.start_time >= ${s.from}::timestamptz
    ),
    entries AS (
      SELECT f.stage_id, conv.conversation_id, f.created_at AS at
        FROM conv
       CROSS JOIN LATERAL (SELECT m.stage_id, m.created_at FROM messages m
                            WHERE m.conversation_id = conv.conversation_id AND m.sender_type = 'user'
                              AND m.status = 'processed'
                            ORDER BY m.sequence_number LIMIT 1) AS f
       WHERE conv.active AND f.stage_id IS NOT NULL AND ${between(sql`f.created_at`, s)}
      UNION ALL
      -- The channel by a LIMIT 1 probe per transition, so the planner cannot hash every tenant's conversations.
      SELECT t.to_stage_id, t.conversation_id, t.created_at
        FROM stage_transitions t
       WHERE t.business_id = ${s.businessId}::uuid AND ${between(sql`t.created_at`, s)}
         AND t.to_stage_id IS NOT NULL
         AND ${realConversation(s, sql`(SELECT tc.channel FROM conversations tc WHERE tc.conversation_id = t.conversation_id LIMIT 1)`)}
    ),
    visits AS (
      SELECT e.stage_id, e.conversation_id, min(e.at) AS entered_at FROM entries e GROUP BY 1, 2
    ),
    judged AS MATERIALIZED (
      SELECT v.stage_id, v.entered_at, c.collected_data, st.required_fields,
             (c.stage_id = v.stage_id
              AND (c.status = 'closed'
                   OR c.last_updated <= ${s.to}::timestamptz - make_interval(hours => ${quietHours}::int))) AS still_there,
             (SELECT min(o.created_at) FROM stage_transitions o
               WHERE o.conversation_id = v.conversation_id AND o.from_stage_id = v.stage_id
                 AND o.to_stage_id IS DISTINCT FROM v.stage_id
                 AND o.created_at >= v.entered_at AND o.created_at <= ${s.to}::timestamptz) AS left_at,
             (jsonb_array_length(st.required_fields) > 0
              AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements_text(st.required_fields) AS r(name)
                               WHERE coalesce(c.collected_data ->> r.name, '') = '')) AS goal_met,
             v.conversation_id
        FROM visits v
        JOIN conversations c ON c.conversation_id = v.conversation_id
        JOIN stages st ON st.stage_id = v.stage_id AND st.business_id = ${s.businessId}::uuid
    ),
    outcome AS (
      SELECT j.stage_id, j.entered_at, j.collected_data, j.required_fields,
             (j.left_at IS NOT NULL OR j.goal_met) AS completed,
             coalesce(j.left_at,
                      CASE WHEN j.goal_met THEN
                        (SELECT max(x.created_at) FROM extracted_data x
                          WHERE x.conversation_id = j.conversation_id AND x.stage_id = j.stage_id
                            AND x.created_at >= j.entered_at AND x.created_at <= ${s.to}::timestamptz)
                      END) AS completed_at,
             (j.left_at IS NULL AND NOT j.goal_met AND j.still_there) AS dropped
        FROM judged j
    )
    SELECT 'visit' AS kind, o.stage_id::text AS stage_id, NULL AS field,
           count(*) AS entries,
           count(*) FILTER (WHERE o.completed) AS completions,
           count(*) FILTER (WHERE o.dropped) AS drop_offs,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM o.completed_at - o.entered_at))
             FILTER (WHERE o.completed_at IS NOT NULL) AS median_seconds
      FROM outcome o GROUP BY o.stage_id
    UNION ALL
    SELECT 'missing', o.stage_id::text, r.name, count(*), 0, 0, NULL
      FROM outcome o
     CROSS JOIN LATERAL jsonb_array_elements_text(o.required_fields) AS r(name)
     WHERE o.dropped AND coalesce(o.collected_data ->> r.name, '') = ''
     GROUP BY o.stage_id, r.name`;
