CREATE TABLE "analytics_daily" (
	"business_id" uuid NOT NULL,
	"day" date NOT NULL,
	"simulator" boolean NOT NULL,
	"new_conversations" integer DEFAULT 0 NOT NULL,
	"messages" integer DEFAULT 0 NOT NULL,
	"user_messages" integer DEFAULT 0 NOT NULL,
	"assistant_messages" integer DEFAULT 0 NOT NULL,
	"agent_messages" integer DEFAULT 0 NOT NULL,
	"fallback_replies" integer DEFAULT 0 NOT NULL,
	"ai_stopped_messages" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "analytics_daily_business_id_day_simulator_pk" PRIMARY KEY("business_id","day","simulator")
);
--> statement-breakpoint
CREATE TABLE "analytics_daily_llm" (
	"business_id" uuid NOT NULL,
	"day" date NOT NULL,
	"simulator" boolean NOT NULL,
	"call_type" text NOT NULL,
	"model" text NOT NULL,
	"calls" integer DEFAULT 0 NOT NULL,
	"errors" integer DEFAULT 0 NOT NULL,
	"tokens_in" numeric DEFAULT '0' NOT NULL,
	"tokens_out" numeric DEFAULT '0' NOT NULL,
	"cost_usd" numeric DEFAULT '0' NOT NULL,
	"latency_hist" integer[] NOT NULL,
	CONSTRAINT "analytics_daily_llm_business_id_day_simulator_call_type_model_pk" PRIMARY KEY("business_id","day","simulator","call_type","model")
);
--> statement-breakpoint
CREATE TABLE "analytics_daily_stage" (
	"business_id" uuid NOT NULL,
	"day" date NOT NULL,
	"simulator" boolean NOT NULL,
	"stage_id" uuid NOT NULL,
	"transitions_in" integer DEFAULT 0 NOT NULL,
	"transitions_out" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "analytics_daily_stage_business_id_day_simulator_stage_id_pk" PRIMARY KEY("business_id","day","simulator","stage_id")
);
--> statement-breakpoint
-- Stage ids on log rows are history, not a live reference: without these foreign keys, deleting a
-- stage no longer rewrites (SET NULL) every message, LLM call, fact and transition it handled — 46 s
-- at 200k messages — but only the conversations now in it (conversations.stage_id keeps its FK).
ALTER TABLE "extracted_data" DROP CONSTRAINT "extracted_data_stage_id_stages_stage_id_fk";
--> statement-breakpoint
ALTER TABLE "llm_calls" DROP CONSTRAINT "llm_calls_stage_id_stages_stage_id_fk";
--> statement-breakpoint
ALTER TABLE "messages" DROP CONSTRAINT "messages_stage_id_stages_stage_id_fk";
--> statement-breakpoint
ALTER TABLE "stage_transitions" DROP CONSTRAINT "stage_transitions_from_stage_id_stages_stage_id_fk";
--> statement-breakpoint
ALTER TABLE "stage_transitions" DROP CONSTRAINT "stage_transitions_to_stage_id_stages_stage_id_fk";
--> statement-breakpoint
ALTER TABLE "analytics_daily" ADD CONSTRAINT "analytics_daily_business_id_businesses_business_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("business_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_daily_llm" ADD CONSTRAINT "analytics_daily_llm_business_id_businesses_business_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("business_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_daily_stage" ADD CONSTRAINT "analytics_daily_stage_business_id_businesses_business_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("business_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "conversations_business_start_idx" ON "conversations" USING btree ("business_id","start_time");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "conversations_business_list_idx" ON "conversations" USING btree ("business_id","last_updated" DESC NULLS FIRST,"conversation_id" DESC NULLS FIRST,"channel");--> statement-breakpoint
-- Analytics rollups (issue 17): kept exact by statement-level triggers in the writing transaction —
-- every INSERT, UPDATE and DELETE adds its signed delta (new rows +1, old rows -1) to the UTC day's
-- row, so late-arriving rows, status changes, stage deletes (SET NULL) and conversation deletes are
-- counted like the raw rows. See ARCHITECTURE.md "Analytics rollups".
--
-- Latency buckets: 0 for < 1 ms, k >= 1 for [1.05^(k-1), 1.05^k) ms, the last (299) open-ended.
CREATE FUNCTION analytics_latency_bucket(ms integer) RETURNS integer
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN ms < 1 THEN 0 ELSE least(299, 1 + floor(ln(ms::float8) / ln(1.05::float8))::integer) END $$;--> statement-breakpoint
-- A 300-bucket histogram from (bucket, count) pairs.
CREATE FUNCTION analytics_hist(buckets integer[], counts bigint[]) RETURNS integer[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT array_agg(coalesce(h.n, 0)::integer ORDER BY g.i)
          FROM generate_series(0, 299) AS g(i)
          LEFT JOIN (SELECT u.b, sum(u.n) AS n FROM unnest(buckets, counts) AS u(b, n) GROUP BY u.b) h
                 ON h.b = g.i $$;--> statement-breakpoint
CREATE FUNCTION analytics_hist_add(a integer[], b integer[]) RETURNS integer[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT array_agg(coalesce(u.x, 0) + coalesce(u.y, 0) ORDER BY u.i)
          FROM unnest(a, b) WITH ORDINALITY AS u(x, y, i) $$;--> statement-breakpoint
-- The signed rows of a statement: its transition tables (new_rows, old_rows) by trigger operation.
CREATE FUNCTION analytics_delta_source(op text) RETURNS text
  LANGUAGE sql IMMUTABLE
  AS $$ SELECT CASE op WHEN 'INSERT' THEN 'SELECT 1 AS sign, * FROM new_rows'
                       WHEN 'DELETE' THEN 'SELECT -1 AS sign, * FROM old_rows'
                       ELSE 'SELECT 1 AS sign, * FROM new_rows UNION ALL SELECT -1 AS sign, * FROM old_rows' END $$;--> statement-breakpoint
-- Each *_sql(src) is the upsert of the signed rows `src` selects (sign, then the table's columns).
-- A row whose conversation is gone is skipped: analytics_conversation_detach already took the whole
-- conversation out before the cascade removed it; a row whose business is gone too (its rollups go
-- with the business). Rows are upserted in key order, so concurrent statements lock in one order.
CREATE FUNCTION analytics_messages_sql(src text) RETURNS text
  LANGUAGE sql IMMUTABLE
  AS $f$ SELECT format($q$
  INSERT INTO analytics_daily AS r (business_id, day, simulator, messages, user_messages,
                                    assistant_messages, agent_messages, fallback_replies, ai_stopped_messages)
  SELECT * FROM (
    SELECT d.business_id, (d.created_at AT TIME ZONE 'UTC')::date AS day,
           coalesce(c.channel = 'simulator', false) AS simulator,
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
  ON CONFLICT (business_id, day, simulator) DO UPDATE
     SET messages = r.messages + excluded.messages,
         user_messages = r.user_messages + excluded.user_messages,
         assistant_messages = r.assistant_messages + excluded.assistant_messages,
         agent_messages = r.agent_messages + excluded.agent_messages,
         fallback_replies = r.fallback_replies + excluded.fallback_replies,
         ai_stopped_messages = r.ai_stopped_messages + excluded.ai_stopped_messages
  $q$, src) $f$;--> statement-breakpoint
CREATE FUNCTION analytics_conversations_sql(src text) RETURNS text
  LANGUAGE sql IMMUTABLE
  AS $f$ SELECT format($q$
  INSERT INTO analytics_daily AS r (business_id, day, simulator, new_conversations)
  SELECT d.business_id, (d.start_time AT TIME ZONE 'UTC')::date, d.channel = 'simulator', sum(d.sign)
    FROM (%s) AS d
    JOIN businesses b ON b.business_id = d.business_id
   GROUP BY 1, 2, 3
  HAVING sum(d.sign) <> 0
   ORDER BY 1, 2, 3
  ON CONFLICT (business_id, day, simulator) DO UPDATE
     SET new_conversations = r.new_conversations + excluded.new_conversations
  $q$, src) $f$;--> statement-breakpoint
CREATE FUNCTION analytics_llm_sql(src text) RETURNS text
  LANGUAGE sql IMMUTABLE
  AS $f$ SELECT format($q$
  INSERT INTO analytics_daily_llm AS r (business_id, day, simulator, call_type, model, calls, errors,
                                        tokens_in, tokens_out, cost_usd, latency_hist)
  SELECT x.business_id, x.day, x.simulator, x.call_type, x.model, sum(x.n), sum(x.e), sum(x.ti),
         sum(x.tout), sum(x.cost), analytics_hist(array_agg(x.bucket), array_agg(x.n))
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
  ON CONFLICT (business_id, day, simulator, call_type, model) DO UPDATE
     SET calls = r.calls + excluded.calls,
         errors = r.errors + excluded.errors,
         tokens_in = r.tokens_in + excluded.tokens_in,
         tokens_out = r.tokens_out + excluded.tokens_out,
         cost_usd = r.cost_usd + excluded.cost_usd,
         latency_hist = analytics_hist_add(r.latency_hist, excluded.latency_hist)
  $q$, src) $f$;--> statement-breakpoint
CREATE FUNCTION analytics_stage_sql(src text) RETURNS text
  LANGUAGE sql IMMUTABLE
  AS $f$ SELECT format($q$
  INSERT INTO analytics_daily_stage AS r (business_id, day, simulator, stage_id, transitions_in, transitions_out)
  SELECT x.business_id, x.day, x.simulator, x.stage_id, sum(x.tin), sum(x.tout)
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
  ON CONFLICT (business_id, day, simulator, stage_id) DO UPDATE
     SET transitions_in = r.transitions_in + excluded.transitions_in,
         transitions_out = r.transitions_out + excluded.transitions_out
  $q$, src) $f$;--> statement-breakpoint
-- A conversation's rows counted under its channel: taken out (sign -1) before it is deleted (the
-- cascade's own triggers then find no conversation and skip) or before its channel changes, and
-- added back after the change. Skipped when the business itself is being deleted.
CREATE FUNCTION analytics_conversation_children(conversation uuid, sign integer) RETURNS void
  LANGUAGE plpgsql
  AS $$ BEGIN
    EXECUTE analytics_messages_sql(format('SELECT %s AS sign, * FROM messages WHERE conversation_id = $1', sign)) USING conversation;
    EXECUTE analytics_llm_sql(format('SELECT %s AS sign, * FROM llm_calls WHERE conversation_id = $1', sign)) USING conversation;
    EXECUTE analytics_stage_sql(format('SELECT %s AS sign, * FROM stage_transitions WHERE conversation_id = $1', sign)) USING conversation;
  END $$;--> statement-breakpoint
CREATE FUNCTION analytics_conversation_detach() RETURNS trigger LANGUAGE plpgsql
  AS $$ BEGIN
    IF EXISTS (SELECT 1 FROM businesses WHERE business_id = OLD.business_id) THEN
      PERFORM analytics_conversation_children(OLD.conversation_id, -1);
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END $$;--> statement-breakpoint
CREATE FUNCTION analytics_conversation_reattach() RETURNS trigger LANGUAGE plpgsql
  AS $$ BEGIN PERFORM analytics_conversation_children(NEW.conversation_id, 1); RETURN NULL; END $$;--> statement-breakpoint
-- The statement triggers: one function per table and operation whose body is the upsert as static
-- SQL (PL/pgSQL caches its plan per session; EXECUTE would plan it again on every statement).
DO $$
DECLARE
  t text[];
  op text;
  upsert text;
  name text;
BEGIN
  FOREACH t SLICE 1 IN ARRAY ARRAY[['messages', 'analytics_messages_sql'],
                                   ['conversations', 'analytics_conversations_sql'],
                                   ['llm_calls', 'analytics_llm_sql'],
                                   ['stage_transitions', 'analytics_stage_sql']] LOOP
    FOREACH op IN ARRAY ARRAY['INSERT', 'UPDATE', 'DELETE'] LOOP
      EXECUTE format('SELECT %s(analytics_delta_source(%L))', t[2], op) INTO upsert;
      name := format('analytics_%s_%s', t[1], lower(op));
      EXECUTE format('CREATE FUNCTION %I() RETURNS trigger LANGUAGE plpgsql AS %L', name,
                     'BEGIN ' || upsert || '; RETURN NULL; END');
      EXECUTE format('CREATE TRIGGER %I AFTER %s ON %I REFERENCING %s FOR EACH STATEMENT EXECUTE FUNCTION %I()',
                     name, op, t[1],
                     CASE op WHEN 'INSERT' THEN 'NEW TABLE AS new_rows'
                             WHEN 'DELETE' THEN 'OLD TABLE AS old_rows'
                             ELSE 'OLD TABLE AS old_rows NEW TABLE AS new_rows' END,
                     name);
    END LOOP;
  END LOOP;
END $$;--> statement-breakpoint
CREATE TRIGGER analytics_conversations_detach BEFORE DELETE ON conversations
  FOR EACH ROW EXECUTE FUNCTION analytics_conversation_detach();--> statement-breakpoint
CREATE TRIGGER analytics_conversations_channel_before BEFORE UPDATE OF channel ON conversations
  FOR EACH ROW WHEN (OLD.channel IS DISTINCT FROM NEW.channel) EXECUTE FUNCTION analytics_conversation_detach();--> statement-breakpoint
CREATE TRIGGER analytics_conversations_channel_after AFTER UPDATE OF channel ON conversations
  FOR EACH ROW WHEN (OLD.channel IS DISTINCT FROM NEW.channel) EXECUTE FUNCTION analytics_conversation_reattach();--> statement-breakpoint
-- Backfill, after the triggers: CREATE TRIGGER holds a SHARE ROW EXCLUSIVE lock on each table until
-- this migration commits, so no write falls between what is summed here and what the triggers add.
DO $$ BEGIN
  EXECUTE analytics_conversations_sql('SELECT 1 AS sign, * FROM conversations');
  EXECUTE analytics_messages_sql('SELECT 1 AS sign, * FROM messages');
  EXECUTE analytics_llm_sql('SELECT 1 AS sign, * FROM llm_calls');
  EXECUTE analytics_stage_sql('SELECT 1 AS sign, * FROM stage_transitions');
END $$;
