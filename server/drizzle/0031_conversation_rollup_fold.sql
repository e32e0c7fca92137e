CREATE TABLE "analytics_conversation_queue" (
	"sign" smallint NOT NULL,
	"business_id" uuid NOT NULL,
	"conversation_id" uuid NOT NULL,
	"start_time" timestamp with time zone NOT NULL,
	"simulator" boolean NOT NULL
);
--> statement-breakpoint
-- Conversations' rollups (analytics_daily.new_conversations, analytics_conversation_hour.started) leave
-- the writing transaction, as the messages' counts (0026) and first messages (0030) did. A new
-- conversation's insert trigger upserted its writer's analytics_daily slot row, held until commit, and
-- inserted its start hour: 0.4-0.7 ms of a first contact's database time, mostly waiting for that slot
-- row while a burst of first turns commits (ARCHITECTURE.md, "Performance", nineteenth and twentieth
-- passes). Now:
--   * an insert, a change of what a conversation counts as (business, id, start, channel) and a delete
--     only queue signed rows (analytics_conversation_queue: a change queues the old row with -1 and the
--     new one with +1), committed with the change;
--   * analytics_fold_messages, holding its state row FOR UPDATE, takes every queued row its snapshot
--     sees off the queue, adds their signs to the day counts (slot 16, as the messages' counts), and
--     sets the start hours of their conversations again from the conversations as they are: the hour
--     rows' `started` is written by the fold alone, one fold at a time, and a conversation queued twice
--     is set once. Like the first messages, the queued conversations are locked FOR KEY SHARE first:
--     one deleted meanwhile is skipped (analytics_conversation_detach took its hours), and one deleted
--     later waits for this fold's commit.
-- Rows of a business deleted since they were queued are dropped: its rollups went with it.
CREATE OR REPLACE FUNCTION analytics_conversations_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO analytics_conversation_queue (sign, business_id, conversation_id, start_time, simulator)
  SELECT 1, n.business_id, n.conversation_id, n.start_time, n.channel = 'simulator' FROM new_rows n;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION analytics_conversations_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO analytics_conversation_queue (sign, business_id, conversation_id, start_time, simulator)
  VALUES (-1, OLD.business_id, OLD.conversation_id, OLD.start_time, OLD.channel = 'simulator'),
         (1, NEW.business_id, NEW.conversation_id, NEW.start_time, NEW.channel = 'simulator');
  RETURN NULL;
END $$;--> statement-breakpoint
-- A business's delete cascades to its conversations after the business row is gone: nothing to queue.
CREATE OR REPLACE FUNCTION analytics_conversations_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO analytics_conversation_queue (sign, business_id, conversation_id, start_time, simulator)
  SELECT -1, o.business_id, o.conversation_id, o.start_time, o.channel = 'simulator'
    FROM old_rows o
    JOIN businesses b ON b.business_id = o.business_id;
  RETURN NULL;
END $$;--> statement-breakpoint
-- It built the bodies these triggers no longer have; nothing calls it now.
DROP FUNCTION analytics_conversations_sql(text);--> statement-breakpoint
-- The start hour of each of `conversation_ids` set again in analytics_conversation_hour.started: one
-- for a conversation whose business still exists, at the hour it started; every other hour row of the
-- conversation taken back to zero.
CREATE FUNCTION analytics_refresh_conversation_start(conversation_ids uuid[]) RETURNS void LANGUAGE sql
  AS $$
  INSERT INTO analytics_conversation_hour AS r (business_id, hour, conversation_id, started)
  SELECT s.business_id, s.hour, s.conversation_id, sum(s.n)
    FROM (SELECT c.business_id, analytics_hour(c.start_time) AS hour, c.conversation_id, 1 AS n
            FROM conversations c
            JOIN businesses b ON b.business_id = c.business_id
           WHERE c.conversation_id = ANY (conversation_ids)
          UNION ALL
          SELECT h.business_id, h.hour, h.conversation_id, -h.started
            FROM analytics_conversation_hour h
           WHERE h.conversation_id = ANY (conversation_ids) AND h.started <> 0) AS s
   GROUP BY 1, 2, 3
  HAVING sum(s.n) <> 0
   ORDER BY 1, 2, 3
  ON CONFLICT (business_id, hour, conversation_id) DO UPDATE SET started = r.started + excluded.started
$$;--> statement-breakpoint
-- One fold of the messages: their counts as in 0026, the queued conversations, then the queued first
-- messages as in 0030, in the same transaction (the state row held FOR UPDATE throughout). Returns the
-- messages added, or NULL when `wait` is false and another fold is under way.
CREATE OR REPLACE FUNCTION analytics_fold_messages(wait boolean) RETURNS bigint LANGUAGE plpgsql
  AS $f$
DECLARE
  prev pg_snapshot;
  n bigint;
  conversations_taken uuid[];
  firsts_taken uuid[];
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
  WITH taken AS (DELETE FROM analytics_conversation_queue RETURNING *),
  daily AS (
    INSERT INTO analytics_daily AS r (business_id, day, simulator, slot, new_conversations)
    SELECT t.business_id, (t.start_time AT TIME ZONE 'UTC')::date, t.simulator, 16, sum(t.sign)
      FROM taken t
      JOIN businesses b ON b.business_id = t.business_id
     GROUP BY 1, 2, 3
    HAVING sum(t.sign) <> 0
     ORDER BY 1, 2, 3
    ON CONFLICT (business_id, day, simulator, slot) DO UPDATE
       SET new_conversations = r.new_conversations + excluded.new_conversations
  )
  SELECT array_agg(DISTINCT conversation_id) INTO conversations_taken FROM taken;
  WITH taken AS (DELETE FROM analytics_first_message_queue RETURNING conversation_id)
  SELECT array_agg(DISTINCT conversation_id) INTO firsts_taken FROM taken;
  IF conversations_taken IS NOT NULL OR firsts_taken IS NOT NULL THEN
    -- A conversation deleted by a transaction that commits meanwhile is skipped here, and the look-ups,
    -- later statements, no longer see it; one deleted later waits for this fold's commit.
    PERFORM 1 FROM conversations WHERE conversation_id = ANY (conversations_taken || firsts_taken) FOR KEY SHARE;
  END IF;
  IF conversations_taken IS NOT NULL THEN
    PERFORM analytics_refresh_conversation_start(conversations_taken);
  END IF;
  IF firsts_taken IS NOT NULL THEN
    PERFORM analytics_refresh_first_message(firsts_taken);
  END IF;
  RETURN n;
END $f$;
