CREATE TABLE "analytics_conversation_hour" (
	"business_id" uuid NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"conversation_id" uuid NOT NULL,
	"messages" integer DEFAULT 0 NOT NULL,
	"started" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "analytics_conversation_hour_business_id_hour_conversation_id_pk" PRIMARY KEY("business_id","hour","conversation_id")
);
--> statement-breakpoint
CREATE TABLE "analytics_stage_entry_hour" (
	"business_id" uuid NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"stage_id" uuid NOT NULL,
	"conversation_id" uuid NOT NULL,
	"transitions" integer DEFAULT 0 NOT NULL,
	"first" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "analytics_stage_entry_hour_business_id_hour_stage_id_conversation_id_pk" PRIMARY KEY("business_id","hour","stage_id","conversation_id")
);
--> statement-breakpoint
-- Stage ids on log rows have had no foreign key since 0010 and nothing filters by them alone: their
-- indexes only cost every insert.
DROP INDEX IF EXISTS "extracted_data_stage_idx";--> statement-breakpoint
DROP INDEX IF EXISTS "llm_calls_stage_idx";--> statement-breakpoint
DROP INDEX IF EXISTS "messages_stage_idx";--> statement-breakpoint
DROP INDEX IF EXISTS "stage_transitions_from_stage_idx";--> statement-breakpoint
DROP INDEX IF EXISTS "stage_transitions_to_stage_idx";--> statement-breakpoint
ALTER TABLE "analytics_conversation_hour" ADD CONSTRAINT "analytics_conversation_hour_business_id_businesses_business_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("business_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_stage_entry_hour" ADD CONSTRAINT "analytics_stage_entry_hour_business_id_businesses_business_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("business_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "analytics_conversation_hour_conversation_idx" ON "analytics_conversation_hour" USING btree ("conversation_id");--> statement-breakpoint
CREATE INDEX "analytics_stage_entry_hour_conversation_idx" ON "analytics_stage_entry_hour" USING btree ("conversation_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "conversations_simulator_idx" ON "conversations" USING btree ("business_id","conversation_id") WHERE "conversations"."channel" = 'simulator';
--> statement-breakpoint
-- Hourly per-conversation rollups (issue 17): the overview's distinct counts read the range's
-- conversation ids (and stage entries) from analytics_conversation_hour / analytics_stage_entry_hour
-- instead of probing every conversation's messages. Hours are UTC (date_bin from a UTC origin, so the
-- session's TimeZone does not matter); a range cut at any instant or offset (+05:30, -08:00) reads the
-- whole hours here and only its partial first and last hour raw.
--
-- Writes wait until this migration commits: no row may be written by the old trigger functions after
-- the backfill below has read the tables (CREATE OR REPLACE FUNCTION alone takes no table lock).
LOCK TABLE conversations, messages, stage_transitions IN SHARE ROW EXCLUSIVE MODE;
--> statement-breakpoint
CREATE FUNCTION analytics_hour(t timestamptz) RETURNS timestamptz
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT date_bin('1 hour', t, timestamptz '2000-01-01 00:00:00+00') $$;
--> statement-breakpoint
-- The latency histogram helpers in PL/pgSQL: 0010's SQL versions built every 300-bucket array with
-- generate_series and a join (~0.2 ms per LLM-call insert, most of its trigger's cost); these set
-- the few buckets a statement touches and add only the non-zero ones. Same results.
CREATE OR REPLACE FUNCTION analytics_hist(buckets integer[], counts bigint[]) RETURNS integer[]
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
  AS $$
DECLARE
  h integer[] := array_fill(0, ARRAY[300]);
  i integer;
BEGIN
  FOR i IN 1 .. coalesce(array_length(buckets, 1), 0) LOOP
    IF buckets[i] IS NOT NULL AND counts[i] IS NOT NULL THEN
      h[buckets[i] + 1] := h[buckets[i] + 1] + counts[i];
    END IF;
  END LOOP;
  RETURN h;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION analytics_hist_add(a integer[], b integer[]) RETURNS integer[]
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
  AS $$
DECLARE
  r integer[] := a;
  i integer;
BEGIN
  FOR i IN 1 .. coalesce(array_length(b, 1), 0) LOOP
    IF b[i] <> 0 THEN
      r[i] := coalesce(r[i], 0) + b[i];
    END IF;
  END LOOP;
  RETURN r;
END $$;
--> statement-breakpoint
-- One statement per trigger (data-modifying CTEs), replacing 0010's bodies; the triggers stay. `d`
-- keeps the signed rows whose conversation and business still exist (a deleted conversation's rows
-- were taken out by analytics_conversation_detach before the cascade).
DO $$
DECLARE
  op text;
  src text;
  body text;
BEGIN
  FOREACH op IN ARRAY ARRAY['INSERT', 'UPDATE', 'DELETE'] LOOP
    src := analytics_delta_source(op);

    -- messages: the day's counts, the conversation's hour, and — when a processed customer message
    -- came, went or changed — the conversation's first processed customer message (its stage
    -- entry), looked up again by (conversation_id, sequence_number) and moved if it changed.
    body := format($q$
  WITH d AS MATERIALIZED (
    SELECT x.sign, x.business_id, x.conversation_id, x.created_at, x.sender_type, x.status,
           (x.metadata ->> 'fallback' = 'true') AS fallback, c.channel = 'simulator' AS simulator
      FROM (%s) AS x
      JOIN conversations c ON c.conversation_id = x.conversation_id
      JOIN businesses b ON b.business_id = x.business_id
  ),
  daily AS (
    INSERT INTO analytics_daily AS r (business_id, day, simulator, messages, user_messages,
                                      assistant_messages, agent_messages, fallback_replies, ai_stopped_messages)
    SELECT * FROM (
      SELECT d.business_id, (d.created_at AT TIME ZONE 'UTC')::date AS day, d.simulator,
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
    ON CONFLICT (business_id, day, simulator) DO UPDATE
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

    -- stage_transitions: the day's transitions in and out, and the hour's entries into a stage.
    body := format($q$
  WITH d AS MATERIALIZED (
    SELECT x.sign, x.business_id, x.conversation_id, x.created_at, x.from_stage_id, x.to_stage_id,
           c.channel = 'simulator' AS simulator
      FROM (%s) AS x
      JOIN conversations c ON c.conversation_id = x.conversation_id
      JOIN businesses b ON b.business_id = x.business_id
  ),
  daily AS (
    INSERT INTO analytics_daily_stage AS r (business_id, day, simulator, stage_id, transitions_in, transitions_out)
    SELECT d.business_id, (d.created_at AT TIME ZONE 'UTC')::date, d.simulator, s.stage_id,
           sum(d.sign * s.tin), sum(d.sign * s.tout)
      FROM d
     CROSS JOIN LATERAL (VALUES (d.to_stage_id, 1, 0), (d.from_stage_id, 0, 1)) AS s(stage_id, tin, tout)
     WHERE s.stage_id IS NOT NULL
     GROUP BY 1, 2, 3, 4
    HAVING sum(d.sign * s.tin) <> 0 OR sum(d.sign * s.tout) <> 0
     ORDER BY 1, 2, 3, 4
    ON CONFLICT (business_id, day, simulator, stage_id) DO UPDATE
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

    -- conversations: the day's new conversations and the hour it started in. A delete leaves the
    -- hours alone (analytics_conversation_detach removed them with the conversation).
    body := format($q$
  WITH d AS MATERIALIZED (
    SELECT x.sign, x.business_id, x.conversation_id, x.start_time, x.channel = 'simulator' AS simulator
      FROM (%s) AS x
      JOIN businesses b ON b.business_id = x.business_id
  ),
  daily AS (
    INSERT INTO analytics_daily AS r (business_id, day, simulator, new_conversations)
    SELECT d.business_id, (d.start_time AT TIME ZONE 'UTC')::date, d.simulator, sum(d.sign)
      FROM d
     GROUP BY 1, 2, 3
    HAVING sum(d.sign) <> 0
     ORDER BY 1, 2, 3
    ON CONFLICT (business_id, day, simulator) DO UPDATE
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
--> statement-breakpoint
-- A deleted conversation's hours and stage entries go with it (no foreign key: that would check
-- every rollup upsert against conversations).
CREATE OR REPLACE FUNCTION analytics_conversation_detach() RETURNS trigger LANGUAGE plpgsql
  AS $$ BEGIN
    IF EXISTS (SELECT 1 FROM businesses WHERE business_id = OLD.business_id) THEN
      PERFORM analytics_conversation_children(OLD.conversation_id, -1);
    END IF;
    IF TG_OP = 'DELETE' THEN
      DELETE FROM analytics_conversation_hour WHERE conversation_id = OLD.conversation_id;
      DELETE FROM analytics_stage_entry_hour WHERE conversation_id = OLD.conversation_id;
      RETURN OLD;
    END IF;
    RETURN NEW;
  END $$;
--> statement-breakpoint
-- Backfill from the raw rows (writes are held by the LOCK above).
INSERT INTO analytics_conversation_hour (business_id, hour, conversation_id, messages, started)
SELECT x.business_id, x.hour, x.conversation_id, sum(x.m), sum(x.s)
  FROM (SELECT business_id, analytics_hour(created_at) AS hour, conversation_id, count(*) AS m, 0 AS s
          FROM messages GROUP BY 1, 2, 3
        UNION ALL
        SELECT business_id, analytics_hour(start_time), conversation_id, 0, 1 FROM conversations) AS x
 GROUP BY 1, 2, 3;
--> statement-breakpoint
INSERT INTO analytics_stage_entry_hour (business_id, hour, stage_id, conversation_id, transitions, first)
SELECT x.business_id, x.hour, x.stage_id, x.conversation_id, sum(x.t), sum(x.f)
  FROM (SELECT business_id, analytics_hour(created_at) AS hour, to_stage_id AS stage_id, conversation_id,
               count(*) AS t, 0 AS f
          FROM stage_transitions WHERE to_stage_id IS NOT NULL GROUP BY 1, 2, 3, 4
        UNION ALL
        SELECT f.business_id, analytics_hour(f.created_at), f.stage_id, f.conversation_id, 0, 1
          FROM (SELECT DISTINCT ON (conversation_id) business_id, conversation_id, created_at, stage_id
                  FROM messages WHERE sender_type = 'user' AND status = 'processed'
                 ORDER BY conversation_id, sequence_number) AS f
         WHERE f.stage_id IS NOT NULL) AS x
 GROUP BY 1, 2, 3, 4;
