import { sql } from 'drizzle-orm';
import { rowsOf } from '../../db/raw-rows.js';
/** Conversation `c` counts: not a simulator test chat, unless those are included. */
const realConversation = (s, channel) => s.includeSimulator ? sql `TRUE` : sql `${channel} <> 'simulator'`;
/** A row of a conversation's (messages, LLM calls, facts, transitions) that counts, by the same rule. */
const ofRealConversation = (s, conversationId) => s.includeSimulator
    ? sql `TRUE`
    : sql `(${conversationId} IS NULL OR NOT EXISTS (SELECT 1 FROM conversations sc
            WHERE sc.conversation_id = ${conversationId} AND sc.channel = 'simulator'))`;
// Every query starts from `business_id = …` and a time range, so each is served by the business's
// (business_id, created_at | last_updated) index. Days are UTC whatever the session's TimeZone.
// pg returns bigint/numeric as strings (PGlite does not): callers convert with Number().
const between = (column, s) => sql `${column} >= ${s.from}::timestamptz AND ${column} <= ${s.to}::timestamptz`;
/**
 * The conversations an overview counts: started in the range, or with a message in it. The
 * `last_updated` bound (a message's append moves it to now()) keeps the scan on
 * conversations_business_updated_idx; the EXISTS probe reads one conversation's messages.
 */
const countedConversations = (s) => sql `
  SELECT c.conversation_id, c.user_id, c.stage_id, c.start_time, c.collected_data
    FROM conversations c
   WHERE c.business_id = ${s.businessId}::uuid
     AND ${realConversation(s, sql `c.channel`)}
     AND c.last_updated >= ${s.from}::timestamptz
     AND c.start_time <= ${s.to}::timestamptz
     AND (c.start_time >= ${s.from}::timestamptz
          OR EXISTS (SELECT 1 FROM messages cm
                      WHERE cm.conversation_id = c.conversation_id
                        AND ${between(sql `cm.created_at`, s)}))`;
/**
 * Runs dashboard queries in a transaction whose statement_timeout is `ms`: a tenant's heavy range
 * cannot hold a connection for minutes (the error handler turns the cancel, 57014, into a 503).
 */
export async function withStatementTimeout(db, ms, run) {
    return db.transaction(async (tx) => {
        await tx.execute(sql `SELECT set_config('statement_timeout', ${String(ms)}, true)`);
        return run(tx);
    });
}
export async function businessExists(db, businessId) {
    const rows = rowsOf(await db.execute(sql `SELECT 1 AS found FROM businesses WHERE business_id = ${businessId}::uuid`));
    return rows.length > 0;
}
export async function queryTotals(db, s) {
    const [row] = rowsOf(await db.execute(sql `
    WITH conv AS (${countedConversations(s)}),
    msg AS (
      SELECT count(*) AS messages,
             count(*) FILTER (WHERE m.sender_type = 'user') AS user_messages,
             count(*) FILTER (WHERE m.sender_type = 'assistant') AS assistant_messages,
             count(*) FILTER (WHERE m.sender_type = 'agent') AS agent_messages,
             count(*) FILTER (WHERE m.sender_type = 'assistant' AND m.metadata ->> 'fallback' = 'true')
               AS fallback_replies,
             count(*) FILTER (WHERE m.sender_type = 'user' AND m.status = 'skipped') AS ai_stopped_messages,
             count(DISTINCT m.conversation_id) AS active_conversations
        FROM messages m
       WHERE m.business_id = ${s.businessId}::uuid AND ${between(sql `m.created_at`, s)}
         AND ${ofRealConversation(s, sql `m.conversation_id`)}
    )
    SELECT (SELECT count(*) FROM conv) AS conversations,
           (SELECT count(*) FROM conv WHERE conv.start_time >= ${s.from}::timestamptz) AS new_conversations,
           (SELECT count(DISTINCT conv.user_id) FROM conv) AS users,
           msg.*
      FROM msg`));
    const n = (key) => Number(row?.[key] ?? 0);
    return {
        conversations: n('conversations'),
        new_conversations: n('new_conversations'),
        active_conversations: n('active_conversations'),
        messages: n('messages'),
        user_messages: n('user_messages'),
        assistant_messages: n('assistant_messages'),
        agent_messages: n('agent_messages'),
        users: n('users'),
        fallback_replies: n('fallback_replies'),
        ai_stopped_messages: n('ai_stopped_messages'),
    };
}
const utcDay = (column) => sql `(${column} AT TIME ZONE 'UTC')::date`;
export async function queryPerDay(db, s) {
    const rows = rowsOf(await db.execute(sql `
    SELECT to_char(d.day, 'YYYY-MM-DD') AS date,
           coalesce(c.n, 0) AS conversations,
           coalesce(m.n, 0) AS messages,
           coalesce(l.calls, 0) AS llm_calls,
           coalesce(l.errors, 0) AS errors
      FROM (SELECT g::date AS day
              FROM generate_series(date_trunc('day', ${s.from}::timestamptz AT TIME ZONE 'UTC'),
                                   date_trunc('day', ${s.to}::timestamptz AT TIME ZONE 'UTC'),
                                   interval '1 day') AS g) d
      LEFT JOIN (SELECT ${utcDay(sql `start_time`)} AS day, count(*) AS n
                   FROM conversations
                  WHERE business_id = ${s.businessId}::uuid AND ${between(sql `start_time`, s)}
                    AND ${realConversation(s, sql `channel`)}
                  GROUP BY 1) c ON c.day = d.day
      LEFT JOIN (SELECT ${utcDay(sql `created_at`)} AS day, count(*) AS n
                   FROM messages
                  WHERE business_id = ${s.businessId}::uuid AND ${between(sql `created_at`, s)}
                    AND ${ofRealConversation(s, sql `messages.conversation_id`)}
                  GROUP BY 1) m ON m.day = d.day
      LEFT JOIN (SELECT ${utcDay(sql `created_at`)} AS day, count(*) AS calls,
                        count(*) FILTER (WHERE status = 'error') AS errors
                   FROM llm_calls
                  WHERE business_id = ${s.businessId}::uuid AND ${between(sql `created_at`, s)}
                    AND ${ofRealConversation(s, sql `llm_calls.conversation_id`)}
                  GROUP BY 1) l ON l.day = d.day
     ORDER BY d.day`));
    return rows.map((row) => ({
        date: String(row.date),
        conversations: Number(row.conversations),
        messages: Number(row.messages),
        llm_calls: Number(row.llm_calls),
        errors: Number(row.errors),
    }));
}
export async function queryStageFunnel(db, s) {
    const rows = rowsOf(await db.execute(sql `
    WITH conv AS (${countedConversations(s)}),
    transitions AS (
      SELECT conversation_id, from_stage_id, to_stage_id
        FROM stage_transitions
       WHERE business_id = ${s.businessId}::uuid AND ${between(sql `created_at`, s)}
         AND ${ofRealConversation(s, sql `stage_transitions.conversation_id`)}
    ),
    -- A conversation starts in the stage that processed its first customer message.
    started AS (
      SELECT m.conversation_id, m.stage_id
        FROM messages m
       WHERE m.business_id = ${s.businessId}::uuid AND ${between(sql `m.created_at`, s)}
         AND m.sender_type = 'user' AND m.status = 'processed' AND m.stage_id IS NOT NULL
         AND ${ofRealConversation(s, sql `m.conversation_id`)}
         AND NOT EXISTS (SELECT 1 FROM messages pm
                          WHERE pm.conversation_id = m.conversation_id AND pm.sender_type = 'user'
                            AND pm.status = 'processed' AND pm.sequence_number < m.sequence_number)
    ),
    entered AS (
      SELECT to_stage_id AS stage_id, conversation_id FROM transitions WHERE to_stage_id IS NOT NULL
      UNION
      SELECT stage_id, conversation_id FROM started
    )
    SELECT s.stage_id, s.stage_name,
           coalesce(e.n, 0) AS conversations_entered,
           coalesce(cur.n, 0) AS conversations_current,
           coalesce(ti.n, 0) AS transitions_in,
           coalesce(tout.n, 0) AS transitions_out
      FROM stages s
      JOIN businesses b ON b.business_id = s.business_id
      LEFT JOIN (SELECT stage_id, count(*) AS n FROM entered GROUP BY stage_id) e ON e.stage_id = s.stage_id
      LEFT JOIN (SELECT stage_id, count(*) AS n FROM conv GROUP BY stage_id) cur ON cur.stage_id = s.stage_id
      LEFT JOIN (SELECT to_stage_id AS stage_id, count(*) AS n FROM transitions GROUP BY 1) ti
             ON ti.stage_id = s.stage_id
      LEFT JOIN (SELECT from_stage_id AS stage_id, count(*) AS n FROM transitions GROUP BY 1) tout
             ON tout.stage_id = s.stage_id
     WHERE s.business_id = ${s.businessId}::uuid
     ORDER BY (s.stage_id = b.first_stage_id) IS TRUE DESC, s.created_at, s.stage_id`));
    return rows.map((row) => ({
        stage_id: String(row.stage_id),
        stage_name: String(row.stage_name),
        conversations_entered: Number(row.conversations_entered),
        conversations_current: Number(row.conversations_current),
        transitions_in: Number(row.transitions_in),
        transitions_out: Number(row.transitions_out),
    }));
}
const nullableNumber = (value) => (value == null ? null : Number(value));
export async function queryLlm(db, s) {
    // One scan: the per-call-type groups and the grand total (the empty grouping set).
    const rows = rowsOf(await db.execute(sql `
    SELECT GROUPING(call_type) AS is_total, call_type,
           count(*) AS calls,
           count(*) FILTER (WHERE status = 'error') AS errors,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95,
           percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99,
           coalesce(sum(tokens_in), 0) AS tokens_in,
           coalesce(sum(tokens_out), 0) AS tokens_out,
           coalesce(sum(cost_usd), 0) AS cost_usd
      FROM llm_calls
     WHERE business_id = ${s.businessId}::uuid AND ${between(sql `created_at`, s)}
       AND ${ofRealConversation(s, sql `llm_calls.conversation_id`)}
     GROUP BY GROUPING SETS ((call_type), ())
     ORDER BY GROUPING(call_type) DESC, count(*) DESC, call_type`));
    const total = rows.find((row) => Number(row.is_total) === 1);
    const calls = Number(total?.calls ?? 0);
    const errors = Number(total?.errors ?? 0);
    return {
        calls,
        errors,
        error_rate: calls ? errors / calls : 0,
        latency_ms: {
            p50: nullableNumber(total?.p50),
            p95: nullableNumber(total?.p95),
            p99: nullableNumber(total?.p99),
        },
        tokens_in: Number(total?.tokens_in ?? 0),
        tokens_out: Number(total?.tokens_out ?? 0),
        cost_usd: Number(total?.cost_usd ?? 0),
        per_step: rows
            .filter((row) => Number(row.is_total) === 0)
            .map((row) => ({
            call_type: String(row.call_type),
            calls: Number(row.calls),
            errors: Number(row.errors),
            p50_ms: nullableNumber(row.p50),
            p95_ms: nullableNumber(row.p95),
            tokens_in: Number(row.tokens_in),
            tokens_out: Number(row.tokens_out),
            cost_usd: Number(row.cost_usd),
        })),
    };
}
export async function queryExtraction(db, s, maxKeys) {
    const rows = rowsOf(await db.execute(sql `
    WITH conv AS (${countedConversations(s)}),
    keys AS (
      SELECT k.key, count(*) AS n
        FROM conv, jsonb_object_keys(CASE WHEN jsonb_typeof(conv.collected_data) = 'object'
                                          THEN conv.collected_data ELSE '{}'::jsonb END) AS k(key)
       GROUP BY k.key
       ORDER BY n DESC, k.key COLLATE "C"
       LIMIT ${maxKeys}::int
    )
    SELECT 'total' AS kind, NULL AS key, (SELECT count(*) FROM conv) AS n
    UNION ALL
    SELECT 'facts', NULL,
           (SELECT count(DISTINCT message_id) FROM extracted_data
             WHERE business_id = ${s.businessId}::uuid AND ${between(sql `created_at`, s)}
               AND ${ofRealConversation(s, sql `extracted_data.conversation_id`)})
    UNION ALL
    SELECT 'key', keys.key, keys.n FROM keys`));
    const count = (kind) => Number(rows.find((row) => row.kind === kind)?.n ?? 0);
    const conversations = count('total');
    return {
        messages_with_facts: count('facts'),
        fill_rates: rows
            .filter((row) => row.kind === 'key')
            .map((row) => ({ key: String(row.key), conversations: Number(row.n) }))
            .sort((a, b) => b.conversations - a.conversations || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
            .map((entry) => ({ ...entry, rate: conversations ? entry.conversations / conversations : 0 })),
    };
}
//# sourceMappingURL=analytics.repository.js.map