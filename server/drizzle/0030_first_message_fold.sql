-- A conversation's first processed customer message (analytics_stage_entry_hour.first, the overview's
-- "conversations entered" of its first stage) leaves the writing transaction, as the messages' counts
-- did in 0026. It was looked up again inside the turn that processed a new conversation's first message:
-- PostgreSQL planned that statement anew on every call (a plan for a known one-element array always
-- looked cheaper than the generic one), 1.6-1.8 ms per new conversation, about a third of a first
-- contact's database time (ARCHITECTURE.md, "Performance", eighteenth and nineteenth passes). Now:
--   * the message triggers, where the first message may have moved, only queue the conversation
--     (analytics_first_message_queue; the same conditions as before decide when);
--   * analytics_fold_messages, holding its state row FOR UPDATE, takes every queued conversation its
--     snapshot sees off the queue and looks each first message up again (analytics_refresh_first_message,
--     one statement for all of them). Only the fold writes `first` now, one fold at a time, so two
--     look-ups of one conversation never add the same change twice; it first locks the conversations
--     FOR KEY SHARE, so that one deleted meanwhile is skipped (its entries go with it,
--     analytics_conversation_detach).
-- A queue entry commits with the change that made it, so the fold that sees one sees the other.
CREATE TABLE "analytics_first_message_queue" (
	"conversation_id" uuid NOT NULL
);
--> statement-breakpoint
-- Inserts: a processed customer message with none before it in its conversation queues it.
CREATE OR REPLACE FUNCTION analytics_messages_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM messages m
                  WHERE m.conversation_id = NEW.conversation_id AND m.sequence_number < NEW.sequence_number
                    AND m.sender_type = 'user' AND m.status = 'processed') THEN
    INSERT INTO analytics_first_message_queue (conversation_id) VALUES (NEW.conversation_id);
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
-- Updates: the counts as in 0026; where the first message can move, its conversations are queued.
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
    INSERT INTO analytics_first_message_queue (conversation_id)
    SELECT DISTINCT x.conversation_id
      FROM (VALUES (NEW.conversation_id, is_first_candidate), (OLD.conversation_id, was_first_candidate))
           AS x(conversation_id, candidate)
     WHERE x.candidate;
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
-- Deletes: folded messages' counts taken out as in 0026; the conversations that lost a processed
-- customer message queued.
DO $$ BEGIN
  EXECUTE format($fn$
CREATE OR REPLACE FUNCTION analytics_messages_delete() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE
  n bigint;
BEGIN
  WITH %s
  SELECT count(*) INTO n FROM d;
  INSERT INTO analytics_first_message_queue (conversation_id)
  SELECT DISTINCT o.conversation_id FROM old_rows o WHERE o.sender_type = 'user' AND o.status = 'processed';
  RETURN NULL;
END $body$
$fn$, analytics_message_counts_sql(
    'SELECT -1 AS sign, o.business_id, o.conversation_id, o.created_at, o.sender_type, o.status, o.metadata
       FROM old_rows o, (SELECT analytics_messages_folded() AS s) f
      WHERE analytics_is_folded(o.rollup_xid, f.s)'));
END $$;--> statement-breakpoint
-- One fold of the messages: their counts as in 0026, then the queued first messages, in the same
-- transaction (the state row held FOR UPDATE throughout). Returns the messages added, or NULL when
-- `wait` is false and another fold is under way.
CREATE OR REPLACE FUNCTION analytics_fold_messages(wait boolean) RETURNS bigint LANGUAGE plpgsql
  AS $f$
DECLARE
  prev pg_snapshot;
  n bigint;
  queued uuid[];
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
  WITH taken AS (DELETE FROM analytics_first_message_queue RETURNING conversation_id)
  SELECT array_agg(DISTINCT conversation_id) INTO queued FROM taken;
  IF queued IS NOT NULL THEN
    -- A conversation deleted by a transaction that commits meanwhile is skipped here, and the look-up,
    -- a later statement, no longer sees it; one deleted later waits for this fold's commit.
    PERFORM 1 FROM conversations WHERE conversation_id = ANY (queued) FOR KEY SHARE;
    PERFORM analytics_refresh_first_message(queued);
  END IF;
  RETURN n;
END $f$;
