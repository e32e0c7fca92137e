-- The messages' counts (analytics_daily's message columns, analytics_conversation_hour) leave the
-- writing transaction the way the LLM calls' rollup did in 0025. Every turn inserts two messages and
-- each insert upserted its writer's analytics_daily slot row, held until commit: the largest wait left
-- in a turn (ARCHITECTURE.md, "Performance", eleventh and twelfth passes). Now:
--   * each message carries the id of the transaction that inserted it (`rollup_xid`); a fold adds, in
--     one statement, the messages whose transaction the last fold's snapshot did not see and its own
--     does, and stores its own snapshot (state row 'messages' of analytics_fold_state);
--   * an update that changes what a message counts as, a delete, and a conversation's detach/reattach
--     (channel change, delete) count only folded messages, holding the state row FOR SHARE until they
--     commit, so that no fold falls between their reading of it and their commit;
--   * the conversation's first processed customer message (analytics_stage_entry_hour) stays in
--     triggers: it moves at most once per conversation, and an insert can move it only when it is a
--     processed customer message (a row trigger with that WHEN: a turn's inserts never fire it).
-- Messages inserted before this migration keep rollup_xid NULL: their trigger counted them.
INSERT INTO "analytics_fold_state" ("name", "folded") VALUES ('messages', pg_current_snapshot());
--> statement-breakpoint
-- Without a default first: existing rows stay NULL (no table rewrite); new rows get the default.
ALTER TABLE "messages" ADD COLUMN "rollup_xid" "xid8";--> statement-breakpoint
ALTER TABLE "messages" ALTER COLUMN "rollup_xid" SET DEFAULT pg_current_xact_id();--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "messages_rollup_xid_idx" ON "messages" USING btree ("rollup_xid") WHERE "messages"."rollup_xid" IS NOT NULL;--> statement-breakpoint
-- Whether a row is in its rollup: counted before its fold existed, or committed before the last fold's
-- snapshot. One test for every folded table; 0025's name for it now calls this one.
CREATE FUNCTION analytics_is_folded(xid xid8, folded pg_snapshot) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT xid IS NULL OR pg_visible_in_snapshot(xid, folded) $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION analytics_llm_is_folded(xid xid8, folded pg_snapshot) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT analytics_is_folded(xid, folded) $$;--> statement-breakpoint
-- The snapshot the last fold of the messages read, locked FOR SHARE until the caller's transaction ends.
CREATE FUNCTION analytics_messages_folded() RETURNS pg_snapshot LANGUAGE sql VOLATILE
  AS $$ SELECT folded FROM analytics_fold_state WHERE name = 'messages' FOR SHARE $$;--> statement-breakpoint
-- The messages' counts of `src` (signed rows of messages: sign, business_id, conversation_id,
-- created_at, sender_type, status, metadata) as data-modifying CTEs `d`, `daily` and `hours`, for a
-- statement that ends with its own SELECT from `d`. Rows whose conversation or business is gone are
-- left out (a deleted conversation's rows were taken out by analytics_conversation_detach).
CREATE FUNCTION analytics_message_counts_sql(src text) RETURNS text
  LANGUAGE sql IMMUTABLE
  AS $f$ SELECT format($q$
  d AS MATERIALIZED (
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
    RETURNING 1
  ),
  hours AS (
    INSERT INTO analytics_conversation_hour AS r (business_id, hour, conversation_id, messages)
    SELECT d.business_id, analytics_hour(d.created_at), d.conversation_id, sum(d.sign)
      FROM d
     GROUP BY 1, 2, 3
    HAVING sum(d.sign) <> 0
     ORDER BY 1, 2, 3
    ON CONFLICT (business_id, hour, conversation_id) DO UPDATE SET messages = r.messages + excluded.messages
    RETURNING 1
  )
  $q$, src) $f$;--> statement-breakpoint
-- The first processed customer message of each of `conversation_ids` (whose conversation and business
-- still exist), looked up again by messages_first_customer_idx and moved in analytics_stage_entry_hour
-- if it changed (0017's `firsts`).
CREATE FUNCTION analytics_refresh_first_message(conversation_ids uuid[]) RETURNS void LANGUAGE plpgsql
  AS $$ BEGIN
  WITH touched AS (
    SELECT c.business_id, c.conversation_id
      FROM conversations c
      JOIN businesses b ON b.business_id = c.business_id
     WHERE c.conversation_id = ANY (conversation_ids)
  ),
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
  ON CONFLICT (business_id, hour, stage_id, conversation_id) DO UPDATE SET first = r.first + excluded.first;
  END $$;--> statement-breakpoint
-- Inserts: nothing for the counts (the fold adds them); a processed customer message with none before
-- it in its conversation moves the first one. Several rows of one statement: each row's trigger sees
-- the statement's final rows, and only the earliest finds none before it.
DROP TRIGGER "analytics_messages_insert" ON "messages";--> statement-breakpoint
DROP FUNCTION "analytics_messages_insert"();--> statement-breakpoint
CREATE FUNCTION analytics_messages_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM messages m
                  WHERE m.conversation_id = NEW.conversation_id AND m.sequence_number < NEW.sequence_number
                    AND m.sender_type = 'user' AND m.status = 'processed') THEN
    PERFORM analytics_refresh_first_message(ARRAY[NEW.conversation_id]);
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER analytics_messages_insert AFTER INSERT ON messages FOR EACH ROW
  WHEN (NEW.sender_type = 'user' AND NEW.status = 'processed')
  EXECUTE FUNCTION analytics_messages_insert();--> statement-breakpoint
-- Updates (0020's row trigger and its WHEN stay): a change of what a message counts as moves its counts
-- only when it has been folded; the first message as before.
DO $$ BEGIN
  EXECUTE format($fn$
CREATE OR REPLACE FUNCTION analytics_messages_update() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE
  was_first_candidate boolean := OLD.sender_type = 'user' AND OLD.status = 'processed';
  is_first_candidate boolean := NEW.sender_type = 'user' AND NEW.status = 'processed';
  n bigint;
BEGIN
  IF (OLD.business_id IS DISTINCT FROM NEW.business_id OR OLD.conversation_id IS DISTINCT FROM NEW.conversation_id
      OR OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.sender_type IS DISTINCT FROM NEW.sender_type
      OR (OLD.metadata ->> 'fallback' = 'true') IS DISTINCT FROM (NEW.metadata ->> 'fallback' = 'true')
      OR (OLD.status = 'skipped') IS DISTINCT FROM (NEW.status = 'skipped'))
     AND analytics_is_folded(OLD.rollup_xid, analytics_messages_folded()) THEN
    WITH %s
    SELECT count(*) INTO n FROM d;
  END IF;

  -- The first message can move only if this row was a processed customer message and changed in what
  -- the first depends on, or became one with none before it (one probe of messages_first_customer_idx).
  IF (was_first_candidate
      AND (NEW.business_id, NEW.conversation_id, NEW.created_at, NEW.stage_id, NEW.sequence_number,
           NEW.sender_type, NEW.status)
          IS DISTINCT FROM (OLD.business_id, OLD.conversation_id, OLD.created_at, OLD.stage_id,
                            OLD.sequence_number, OLD.sender_type, OLD.status))
     OR (is_first_candidate AND NOT was_first_candidate
         AND NOT EXISTS (SELECT 1 FROM messages m
                          WHERE m.conversation_id = NEW.conversation_id
                            AND m.sequence_number < NEW.sequence_number
                            AND m.sender_type = 'user' AND m.status = 'processed')) THEN
    PERFORM analytics_refresh_first_message(ARRAY(
      SELECT x.conversation_id
        FROM (VALUES (NEW.conversation_id, is_first_candidate), (OLD.conversation_id, was_first_candidate))
             AS x(conversation_id, candidate)
       WHERE x.candidate));
  END IF;
  RETURN NULL;
END $body$
$fn$, analytics_message_counts_sql(
    'SELECT 1 AS sign, NEW.business_id AS business_id, NEW.conversation_id AS conversation_id,
            NEW.created_at AS created_at, NEW.sender_type AS sender_type, NEW.status AS status,
            NEW.metadata AS metadata
     UNION ALL
     SELECT -1, OLD.business_id, OLD.conversation_id, OLD.created_at, OLD.sender_type, OLD.status, OLD.metadata'));
END $$;--> statement-breakpoint
-- Deletes: folded messages' counts taken out; the first message of a conversation that lost a
-- processed customer message looked up again.
DO $$ BEGIN
  EXECUTE format($fn$
CREATE OR REPLACE FUNCTION analytics_messages_delete() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE
  n bigint;
BEGIN
  WITH %s
  SELECT count(*) INTO n FROM d;
  PERFORM analytics_refresh_first_message(ARRAY(
    SELECT DISTINCT o.conversation_id FROM old_rows o WHERE o.sender_type = 'user' AND o.status = 'processed'));
  RETURN NULL;
END $body$
$fn$, analytics_message_counts_sql(
    'SELECT -1 AS sign, o.business_id, o.conversation_id, o.created_at, o.sender_type, o.status, o.metadata
       FROM old_rows o, (SELECT analytics_messages_folded() AS s) f
      WHERE analytics_is_folded(o.rollup_xid, f.s)'));
END $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION analytics_conversation_children(conversation uuid, sign integer) RETURNS void
  LANGUAGE plpgsql
  AS $$ BEGIN
    EXECUTE analytics_messages_sql(format('SELECT %s AS sign, m.* FROM messages m, (SELECT analytics_messages_folded() AS s) f'
                                          ' WHERE m.conversation_id = $1 AND analytics_is_folded(m.rollup_xid, f.s)', sign)) USING conversation;
    EXECUTE analytics_llm_sql(format('SELECT %s AS sign, l.* FROM llm_calls l, (SELECT analytics_llm_folded() AS s) f'
                                     ' WHERE l.conversation_id = $1 AND analytics_is_folded(l.rollup_xid, f.s)', sign)) USING conversation;
    EXECUTE analytics_stage_sql(format('SELECT %s AS sign, * FROM stage_transitions WHERE conversation_id = $1', sign)) USING conversation;
  END $$;--> statement-breakpoint
-- One fold of the messages, as analytics_fold_llm_calls (0025): adds the messages committed since the
-- last fold's snapshot and stores its own, in one statement, into analytics_daily's slot 16 (no
-- trigger writes it) and analytics_conversation_hour, giving up after 200 ms on a row a writer holds.
-- Returns the messages added, or NULL when `wait` is false and another fold is under way.
CREATE FUNCTION analytics_fold_messages(wait boolean) RETURNS bigint LANGUAGE plpgsql
  AS $f$
DECLARE
  prev pg_snapshot;
  n bigint;
BEGIN
  IF wait THEN
    SELECT folded INTO prev FROM analytics_fold_state WHERE name = 'messages' FOR UPDATE;
  ELSE
    SELECT folded INTO prev FROM analytics_fold_state WHERE name = 'messages' FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN RETURN NULL; END IF;
  END IF;
  PERFORM set_config('lock_timeout', '200ms', true);
  EXECUTE format($q$
    WITH %s,
    moved AS (
      UPDATE analytics_fold_state SET folded = pg_current_snapshot() WHERE name = 'messages'
    )
    SELECT count(*) FROM d$q$,
    replace(analytics_message_counts_sql(format(
      'SELECT 1 AS sign, m.* FROM messages m
        WHERE m.rollup_xid >= pg_snapshot_xmin(%L::pg_snapshot)
          AND NOT analytics_is_folded(m.rollup_xid, %L::pg_snapshot)', prev, prev)),
      'analytics_slot()', '16::smallint')) INTO n;
  RETURN n;
END $f$;
