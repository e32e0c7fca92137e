-- The LLM calls' daily rollup (analytics_daily_llm) leaves the writing transaction. Its insert trigger
-- was the largest share of a turn's rollup work (ARCHITECTURE.md, "Performance", sixth and eleventh
-- passes); a fold now adds the calls afterwards, exactly:
--   * each call row carries the id of the transaction that inserted it (`rollup_xid`);
--   * analytics_fold_state holds the snapshot the last fold read; a fold adds, in one statement, the
--     calls whose transaction that snapshot did not see but its own does, and stores its own snapshot.
--     A transaction still in flight during one fold is seen by none of them until it commits, and is
--     then added once: no time watermark, so no call that commits late is missed.
--   * updates, deletes and a conversation's detach/reattach (channel change, delete) count only calls
--     already folded, holding the state row FOR SHARE so that no fold falls between their reading of
--     it and their commit.
-- Calls inserted before this migration keep rollup_xid NULL: their trigger counted them.
CREATE TABLE "analytics_fold_state" (
	"name" text PRIMARY KEY NOT NULL,
	"folded" "pg_snapshot" NOT NULL
);
--> statement-breakpoint
INSERT INTO "analytics_fold_state" ("name", "folded") VALUES ('llm_calls', pg_current_snapshot());
--> statement-breakpoint
-- Without a default first: existing rows stay NULL (no table rewrite); new rows get the default.
ALTER TABLE "llm_calls" ADD COLUMN "rollup_xid" "xid8";--> statement-breakpoint
ALTER TABLE "llm_calls" ALTER COLUMN "rollup_xid" SET DEFAULT pg_current_xact_id();--> statement-breakpoint
-- IF NOT EXISTS: a big installation builds it CONCURRENTLY first (`npm run db:indexes:concurrently`);
-- it holds no row until this migration has run.
CREATE INDEX IF NOT EXISTS "llm_calls_rollup_xid_idx" ON "llm_calls" USING btree ("rollup_xid") WHERE "llm_calls"."rollup_xid" IS NOT NULL;--> statement-breakpoint
DROP TRIGGER "analytics_llm_calls_insert" ON "llm_calls";--> statement-breakpoint
DROP FUNCTION "analytics_llm_calls_insert"();--> statement-breakpoint
-- The snapshot the last fold read, locked FOR SHARE until the caller's transaction ends.
CREATE FUNCTION analytics_llm_folded() RETURNS pg_snapshot LANGUAGE sql VOLATILE
  AS $$ SELECT folded FROM analytics_fold_state WHERE name = 'llm_calls' FOR SHARE $$;--> statement-breakpoint
-- Whether a call is in the rollup: counted before 0025, or committed before the last fold's snapshot.
CREATE FUNCTION analytics_llm_is_folded(xid xid8, folded pg_snapshot) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT xid IS NULL OR pg_visible_in_snapshot(xid, folded) $$;--> statement-breakpoint
DO $$
DECLARE
  op text;
  src text;
BEGIN
  FOREACH op IN ARRAY ARRAY['UPDATE', 'DELETE'] LOOP
    src := 'SELECT -1 AS sign, o.* FROM old_rows o, (SELECT analytics_llm_folded() AS s) f'
           ' WHERE analytics_llm_is_folded(o.rollup_xid, f.s)';
    IF op = 'UPDATE' THEN
      src := 'SELECT 1 AS sign, n.* FROM new_rows n, (SELECT analytics_llm_folded() AS s) f'
             ' WHERE analytics_llm_is_folded(n.rollup_xid, f.s) UNION ALL ' || src;
    END IF;
    EXECUTE format('CREATE OR REPLACE FUNCTION %I() RETURNS trigger LANGUAGE plpgsql AS %L',
                   'analytics_llm_calls_' || lower(op), 'BEGIN ' || analytics_llm_sql(src) || '; RETURN NULL; END');
  END LOOP;
END $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION analytics_conversation_children(conversation uuid, sign integer) RETURNS void
  LANGUAGE plpgsql
  AS $$ BEGIN
    EXECUTE analytics_messages_sql(format('SELECT %s AS sign, * FROM messages WHERE conversation_id = $1', sign)) USING conversation;
    EXECUTE analytics_llm_sql(format('SELECT %s AS sign, l.* FROM llm_calls l, (SELECT analytics_llm_folded() AS s) f'
                                     ' WHERE l.conversation_id = $1 AND analytics_llm_is_folded(l.rollup_xid, f.s)', sign)) USING conversation;
    EXECUTE analytics_stage_sql(format('SELECT %s AS sign, * FROM stage_transitions WHERE conversation_id = $1', sign)) USING conversation;
  END $$;--> statement-breakpoint
-- One fold: adds the calls committed since the last fold's snapshot and stores its own, in one
-- statement (pg_current_snapshot() is that statement's snapshot). Into slot 16, which no trigger
-- writes (analytics_slot() is 0-15): a deleting transaction that holds a slot's row and waits for the
-- state row cannot deadlock with it there; on any other row it gives up after 200 ms, not the writer.
-- `wait`: wait for a fold in progress (a dashboard read) or return NULL at once (the periodic job).
CREATE FUNCTION analytics_fold_llm_calls(wait boolean) RETURNS bigint LANGUAGE plpgsql
  AS $f$
DECLARE
  prev pg_snapshot;
  n bigint;
BEGIN
  IF wait THEN
    SELECT folded INTO prev FROM analytics_fold_state WHERE name = 'llm_calls' FOR UPDATE;
  ELSE
    SELECT folded INTO prev FROM analytics_fold_state WHERE name = 'llm_calls' FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN RETURN NULL; END IF;
  END IF;
  PERFORM set_config('lock_timeout', '200ms', true);
  EXECUTE format($q$
    WITH d AS MATERIALIZED (
      SELECT 1 AS sign, l.* FROM llm_calls l
       WHERE l.rollup_xid >= pg_snapshot_xmin(%1$L::pg_snapshot)
         AND NOT analytics_llm_is_folded(l.rollup_xid, %1$L::pg_snapshot)
    ), added AS (%2$s RETURNING 1
    ), moved AS (
      UPDATE analytics_fold_state SET folded = pg_current_snapshot() WHERE name = 'llm_calls'
    )
    SELECT count(*) FROM d$q$,
    prev, replace(analytics_llm_sql('SELECT * FROM d'), 'analytics_slot()', '16::smallint')) INTO n;
  RETURN n;
END $f$;
