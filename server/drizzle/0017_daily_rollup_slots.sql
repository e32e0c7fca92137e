-- Hand-ordered: drizzle-kit emitted the new primary keys before the column they name.
ALTER TABLE "analytics_daily" ADD COLUMN "slot" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics_daily_llm" ADD COLUMN "slot" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics_daily_stage" ADD COLUMN "slot" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics_daily" DROP CONSTRAINT "analytics_daily_business_id_day_simulator_pk";--> statement-breakpoint
ALTER TABLE "analytics_daily_llm" DROP CONSTRAINT "analytics_daily_llm_business_id_day_simulator_call_type_model_pk";--> statement-breakpoint
ALTER TABLE "analytics_daily_stage" DROP CONSTRAINT "analytics_daily_stage_business_id_day_simulator_stage_id_pk";--> statement-breakpoint
ALTER TABLE "analytics_daily" ADD CONSTRAINT "analytics_daily_business_id_day_simulator_slot_pk" PRIMARY KEY("business_id","day","simulator","slot");--> statement-breakpoint
ALTER TABLE "analytics_daily_llm" ADD CONSTRAINT "analytics_daily_llm_business_id_day_simulator_call_type_model_slot_pk" PRIMARY KEY("business_id","day","simulator","call_type","model","slot");--> statement-breakpoint
ALTER TABLE "analytics_daily_stage" ADD CONSTRAINT "analytics_daily_stage_business_id_day_simulator_stage_id_slot_pk" PRIMARY KEY("business_id","day","simulator","stage_id","slot");--> statement-breakpoint
-- Striped daily rollups (issues 9, 14, 17): every message, LLM call and transition of a business
-- upserted the same (business, day, simulator) row and held its lock until commit (a WAL flush), so
-- all writes of a business ran one at a time. Each key now has up to 16 rows; a trigger writes into
-- the slot of its backend (pg_backend_pid() % 16: a backend runs one transaction at a time), so two
-- concurrent writers share a row only when their pids collide. A delete or update may subtract in
-- another slot than the one that added: a slot may go negative, only the sum over slots is a count.
-- Existing rows stay in slot 0. The ALTERs above hold the rollup tables until this commits, so no
-- statement reaches them with the old functions' conflict targets.
CREATE FUNCTION analytics_slot() RETURNS smallint
  LANGUAGE sql STABLE PARALLEL RESTRICTED
  AS $$ SELECT (pg_backend_pid() % 16)::smallint $$;
--> statement-breakpoint
-- 0010's upsert builders (analytics_conversation_children runs them for a conversation's delete or
-- channel change; the LLM-call triggers are built from analytics_llm_sql), with the slot.
CREATE OR REPLACE FUNCTION analytics_messages_sql(src text) RETURNS text
  LANGUAGE sql IMMUTABLE
  AS $f$ SELECT format($q$
  INSERT INTO analytics_daily AS r (business_id, day, simulator, slot, messages, user_messages,
                                    assistant_messages, agent_messages, fallback_replies, ai_stopped_messages)
  SELECT * FROM (
    SELECT d.business_id, (d.created_at AT TIME ZONE 'UTC')::date AS day,
           coalesce(c.channel = 'simulator', false) AS simulator,
           analytics_slot() AS slot,
           sum(d.sign) AS messages,
           coalesce(sum(d.sign) FILTER (WHERE d.sender_type = 'user'), 0) AS user_messages,
           coalesce(sum(d.sign) FILTER (WHERE d.sender_type = 'assistant'), 0) AS assistant_messages,
           coalesce(sum(d.sign) FILTER (WHERE d.sender_type = 'agent'), 0) AS agent_messages,
           coalesce(sum(d.sign) FILTER (WHERE d.sender_type = 'assistant'
                                          AND d.metadata ->> 'fallback' = 'true'), 0) AS fallback_replies,
           coalesce(sum(d.sign) FILTER (WHERE d.sender_type = 'user' AND d.status = 'skipped'), 0)
             AS ai_stopped_messages
      FROM (%s) AS d
      JOIN businesses b ON b.business_id = d.business_id
      LEFT JOIN conversations c ON c.conversation_id = d.conversation_id
     WHERE d.conversation_id IS NULL OR c.conversation_id IS NOT NULL
     GROUP BY 1, 2, 3) AS a
   WHERE (a.messages, a.user_messages, a.assistant_messages, a.agent_messages, a.fallback_replies,
          a.ai_stopped_messages) <> (0, 0, 0, 0, 0, 0)
   ORDER BY 1, 2, 3
  ON CONFLICT (business_id, day, simulator, slot) DO UPDATE
     SET messages = r.messages + excluded.messages,
         user_messages = r.user_messages + excluded.user_messages,
         assistant_messages = r.assistant_messages + excluded.assistant_messages,
         agent_messages = r.agent_messages + excluded.agent_messages,
         fallback_replies = r.fallback_replies + excluded.fallback_replies,
         ai_stopped_messages = r.ai_stopped_messages + excluded.ai_stopped_messages
  $q$, src) $f$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION analytics_conversations_sql(src text) RETURNS text
  LANGUAGE sql IMMUTABLE
  AS $f$ SELECT format($q$
  INSERT INTO analytics_daily AS r (business_id, day, simulator, slot, new_conversations)
  SELECT d.business_id, (d.start_time AT TIME ZONE 'UTC')::date, d.channel = 'simulator', analytics_slot(),
         sum(d.sign)
    FROM (%s) AS d
    JOIN businesses b ON b.business_id = d.business_id
   GROUP BY 1, 2, 3
  HAVING sum(d.sign) <> 0
   ORDER BY 1, 2, 3
  ON CONFLICT (business_id, day, simulator, slot) DO UPDATE
     SET new_conversations = r.new_conversations + excluded.new_conversations
  $q$, src) $f$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION analytics_llm_sql(src text) RETURNS text
  LANGUAGE sql IMMUTABLE
  AS $f$ SELECT format($q$
  INSERT INTO analytics_daily_llm AS r (business_id, day, simulator, call_type, model, slot, calls, errors,
                                        tokens_in, tokens_out, cost_usd, latency_hist)
  SELECT x.business_id, x.day, x.simulator, x.call_type, x.model, analytics_slot(), sum(x.n), sum(x.e),
         sum(x.ti), sum(x.tout), sum(x.cost), analytics_hist(array_agg(x.bucket), array_agg(x.n))
    FROM (SELECT d.business_id, (d.created_at AT TIME ZONE 'UTC')::date AS day,
                 coalesce(c.channel = 'simulator', false) AS simulator, d.call_type, d.model,
                 analytics_latency_bucket(d.latency_ms) AS bucket,
                 sum(d.sign) AS n,
                 coalesce(sum(d.sign) FILTER (WHERE d.status = 'error'), 0) AS e,
                 sum(d.sign * d.tokens_in::bigint) AS ti,
                 sum(d.sign * d.tokens_out::bigint) AS tout,
                 sum(d.sign * d.cost_usd::numeric) AS cost
            FROM (%s) AS d
            JOIN businesses b ON b.business_id = d.business_id
            LEFT JOIN conversations c ON c.conversation_id = d.conversation_id
           WHERE d.conversation_id IS NULL OR c.conversation_id IS NOT NULL
           GROUP BY 1, 2, 3, 4, 5, 6) AS x
   GROUP BY 1, 2, 3, 4, 5
  HAVING bool_or(x.n <> 0) OR sum(x.e) <> 0 OR sum(x.ti) <> 0 OR sum(x.tout) <> 0 OR sum(x.cost) <> 0
   ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (business_id, day, simulator, call_type, model, slot) DO UPDATE
     SET calls = r.calls + excluded.calls,
         errors = r.errors + excluded.errors,
         tokens_in = r.tokens_in + excluded.tokens_in,
         tokens_out = r.tokens_out + excluded.tokens_out,
         cost_usd = r.cost_usd + excluded.cost_usd,
         latency_hist = analytics_hist_add(r.latency_hist, excluded.latency_hist)
  $q$, src) $f$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION analytics_stage_sql(src text) RETURNS text
  LANGUAGE sql IMMUTABLE
  AS $f$ SELECT format($q$
  INSERT INTO analytics_daily_stage AS r (business_id, day, simulator, stage_id, slot, transitions_in, transitions_out)
  SELECT x.business_id, x.day, x.simulator, x.stage_id, analytics_slot(), sum(x.tin), sum(x.tout)
    FROM (SELECT d.business_id, (d.created_at AT TIME ZONE 'UTC')::date AS day,
                 coalesce(c.channel = 'simulator', false) AS simulator,
                 s.stage_id, d.sign * s.tin AS tin, d.sign * s.tout AS tout
            FROM (%s) AS d
            JOIN businesses b ON b.business_id = d.business_id
            LEFT JOIN conversations c ON c.conversation_id = d.conversation_id
           CROSS JOIN LATERAL (VALUES (d.to_stage_id, 1, 0), (d.from_stage_id, 0, 1)) AS s(stage_id, tin, tout)
           WHERE (d.conversation_id IS NULL OR c.conversation_id IS NOT NULL) AND s.stage_id IS NOT NULL) AS x
   GROUP BY 1, 2, 3, 4
  HAVING sum(x.tin) <> 0 OR sum(x.tout) <> 0
   ORDER BY 1, 2, 3, 4
  ON CONFLICT (business_id, day, simulator, stage_id, slot) DO UPDATE
     SET transitions_in = r.transitions_in + excluded.transitions_in,
         transitions_out = r.transitions_out + excluded.transitions_out
  $q$, src) $f$;--> statement-breakpoint
-- The trigger functions: the LLM calls' rebuilt from analytics_llm_sql as in 0010; the others are
-- 0016's bodies with the slot in their daily upserts (their hourly upserts are per conversation and
-- unchanged). The triggers themselves stay.
DO $$
DECLARE
  op text;
  src text;
  body text;
BEGIN
  FOREACH op IN ARRAY ARRAY['INSERT', 'UPDATE', 'DELETE'] LOOP
    src := analytics_delta_source(op);

    EXECUTE format('CREATE OR REPLACE FUNCTION %I() RETURNS trigger LANGUAGE plpgsql AS %L',
                   'analytics_llm_calls_' || lower(op), 'BEGIN ' || analytics_llm_sql(src) || '; RETURN NULL; END');

    body := format($q$
  WITH d AS MATERIALIZED (
    SELECT x.sign, x.business_id, x.conversation_id, x.created_at, x.sender_type, x.status,
           (x.metadata ->> 'fallback' = 'true') AS fallback, c.channel = 'simulator' AS simulator
      FROM (%s) AS x
      JOIN conversations c ON c.conversation_id = x.conversation_id
      JOIN businesses b ON b.business_id = x.business_id
  ),
  daily AS (
    INSERT INTO analytics_daily AS r (business_id, day, simulator, slot, messages, user_messages,
                                      assistant_messages, agent_messages, fallback_replies, ai_stopped_messages)
    SELECT * FROM (
      SELECT d.business_id, (d.created_at AT TIME ZONE 'UTC')::date AS day, d.simulator,
             analytics_slot() AS slot,
             sum(d.sign) AS messages,
             coalesce(sum(d.sign) FILTER (WHERE d.sender_type = 'user'), 0) AS user_messages,
             coalesce(sum(d.sign) FILTER (WHERE d.sender_type = 'assistant'), 0) AS assistant_messages,
             coalesce(sum(d.sign) FILTER (WHERE d.sender_type = 'agent'), 0) AS agent_messages,
             coalesce(sum(d.sign) FILTER (WHERE d.sender_type = 'assistant' AND d.fallback), 0) AS fallback_replies,
             coalesce(sum(d.sign) FILTER (WHERE d.sender_type = 'user' AND d.status = 'skipped'), 0)
               AS ai_stopped_messages
        FROM d
       GROUP BY 1, 2, 3) AS a
     WHERE (a.messages, a.user_messages, a.assistant_messages, a.agent_messages, a.fallback_replies,
            a.ai_stopped_messages) <> (0, 0, 0, 0, 0, 0)
     ORDER BY 1, 2, 3
    ON CONFLICT (business_id, day, simulator, slot) DO UPDATE
       SET messages = r.messages + excluded.messages,
           user_messages = r.user_messages + excluded.user_messages,
           assistant_messages = r.assistant_messages + excluded.assistant_messages,
           agent_messages = r.agent_messages + excluded.agent_messages,
           fallback_replies = r.fallback_replies + excluded.fallback_replies,
           ai_stopped_messages = r.ai_stopped_messages + excluded.ai_stopped_messages
  ),
  hours AS (
    INSERT INTO analytics_conversation_hour AS r (business_id, hour, conversation_id, messages)
    SELECT d.business_id, analytics_hour(d.created_at), d.conversation_id, sum(d.sign)
      FROM d
     GROUP BY 1, 2, 3
    HAVING sum(d.sign) <> 0
     ORDER BY 1, 2, 3
    ON CONFLICT (business_id, hour, conversation_id) DO UPDATE SET messages = r.messages + excluded.messages
  ),
  -- Only a processed customer message (before or after the change) can be or become the first.
  touched AS (SELECT DISTINCT d.business_id, d.conversation_id FROM d
               WHERE d.sender_type = 'user' AND d.status = 'processed'),
  firsts AS (
    SELECT t.business_id, f.hour, f.stage_id, t.conversation_id, 1 AS n
      FROM touched t
     CROSS JOIN LATERAL (SELECT analytics_hour(m.created_at) AS hour, m.stage_id FROM messages m
                          WHERE m.conversation_id = t.conversation_id AND m.sender_type = 'user'
                            AND m.status = 'processed'
                          ORDER BY m.sequence_number LIMIT 1) AS f
     WHERE f.stage_id IS NOT NULL
    UNION ALL
    SELECT e.business_id, e.hour, e.stage_id, e.conversation_id, -e.first
      FROM analytics_stage_entry_hour e
      JOIN touched t ON t.conversation_id = e.conversation_id
     WHERE e.first <> 0
  )
  INSERT INTO analytics_stage_entry_hour AS r (business_id, hour, stage_id, conversation_id, first)
  SELECT f.business_id, f.hour, f.stage_id, f.conversation_id, sum(f.n)
    FROM firsts f
   GROUP BY 1, 2, 3, 4
  HAVING sum(f.n) <> 0
   ORDER BY 1, 2, 3, 4
  ON CONFLICT (business_id, hour, stage_id, conversation_id) DO UPDATE SET first = r.first + excluded.first
$q$, src);
    EXECUTE format('CREATE OR REPLACE FUNCTION %I() RETURNS trigger LANGUAGE plpgsql AS %L',
                   'analytics_messages_' || lower(op), 'BEGIN ' || body || '; RETURN NULL; END');

    body := format($q$
  WITH d AS MATERIALIZED (
    SELECT x.sign, x.business_id, x.conversation_id, x.created_at, x.from_stage_id, x.to_stage_id,
           c.channel = 'simulator' AS simulator
      FROM (%s) AS x
      JOIN conversations c ON c.conversation_id = x.conversation_id
      JOIN businesses b ON b.business_id = x.business_id
  ),
  daily AS (
    INSERT INTO analytics_daily_stage AS r (business_id, day, simulator, stage_id, slot, transitions_in, transitions_out)
    SELECT d.business_id, (d.created_at AT TIME ZONE 'UTC')::date, d.simulator, s.stage_id, analytics_slot(),
           sum(d.sign * s.tin), sum(d.sign * s.tout)
      FROM d
     CROSS JOIN LATERAL (VALUES (d.to_stage_id, 1, 0), (d.from_stage_id, 0, 1)) AS s(stage_id, tin, tout)
     WHERE s.stage_id IS NOT NULL
     GROUP BY 1, 2, 3, 4
    HAVING sum(d.sign * s.tin) <> 0 OR sum(d.sign * s.tout) <> 0
     ORDER BY 1, 2, 3, 4
    ON CONFLICT (business_id, day, simulator, stage_id, slot) DO UPDATE
       SET transitions_in = r.transitions_in + excluded.transitions_in,
           transitions_out = r.transitions_out + excluded.transitions_out
  )
  INSERT INTO analytics_stage_entry_hour AS r (business_id, hour, stage_id, conversation_id, transitions)
  SELECT d.business_id, analytics_hour(d.created_at), d.to_stage_id, d.conversation_id, sum(d.sign)
    FROM d
   WHERE d.to_stage_id IS NOT NULL
   GROUP BY 1, 2, 3, 4
  HAVING sum(d.sign) <> 0
   ORDER BY 1, 2, 3, 4
  ON CONFLICT (business_id, hour, stage_id, conversation_id) DO UPDATE
     SET transitions = r.transitions + excluded.transitions
$q$, src);
    EXECUTE format('CREATE OR REPLACE FUNCTION %I() RETURNS trigger LANGUAGE plpgsql AS %L',
                   'analytics_stage_transitions_' || lower(op), 'BEGIN ' || body || '; RETURN NULL; END');

    body := format($q$
  WITH d AS MATERIALIZED (
    SELECT x.sign, x.business_id, x.conversation_id, x.start_time, x.channel = 'simulator' AS simulator
      FROM (%s) AS x
      JOIN businesses b ON b.business_id = x.business_id
  ),
  daily AS (
    INSERT INTO analytics_daily AS r (business_id, day, simulator, slot, new_conversations)
    SELECT d.business_id, (d.start_time AT TIME ZONE 'UTC')::date, d.simulator, analytics_slot(), sum(d.sign)
      FROM d
     GROUP BY 1, 2, 3
    HAVING sum(d.sign) <> 0
     ORDER BY 1, 2, 3
    ON CONFLICT (business_id, day, simulator, slot) DO UPDATE
       SET new_conversations = r.new_conversations + excluded.new_conversations
  )
  INSERT INTO analytics_conversation_hour AS r (business_id, hour, conversation_id, started)
  SELECT d.business_id, analytics_hour(d.start_time), d.conversation_id, sum(d.sign)
    FROM d
   WHERE %s
   GROUP BY 1, 2, 3
  HAVING sum(d.sign) <> 0
   ORDER BY 1, 2, 3
  ON CONFLICT (business_id, hour, conversation_id) DO UPDATE SET started = r.started + excluded.started
$q$, src, CASE op WHEN 'DELETE' THEN 'FALSE' ELSE 'TRUE' END);
    EXECUTE format('CREATE OR REPLACE FUNCTION %I() RETURNS trigger LANGUAGE plpgsql AS %L',
                   'analytics_conversations_' || lower(op), 'BEGIN ' || body || '; RETURN NULL; END');
  END LOOP;
END $$;
