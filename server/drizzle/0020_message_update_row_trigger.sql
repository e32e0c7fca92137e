-- Every turn updates its customer message (pending → processed, its stage) and the statement trigger
-- (0010, body from 0017) ran on it: its daily and hourly deltas, which cancel out, and the lookup of the
-- conversation's first processed customer message, which cannot change once the conversation has an
-- earlier one. Now a row trigger runs only when a row changes what a rollup counts, with 0017's daily
-- and hourly upserts on that row's two signed versions (skipped when none of their columns changed)
-- and the first message looked up again only when it can move: the row was a processed customer message
-- (it may have been the first), or became one with no processed customer message before it.
DROP TRIGGER analytics_messages_update ON messages;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION analytics_messages_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  was_first_candidate boolean := OLD.sender_type = 'user' AND OLD.status = 'processed';
  is_first_candidate boolean := NEW.sender_type = 'user' AND NEW.status = 'processed';
BEGIN
  IF OLD.business_id IS DISTINCT FROM NEW.business_id OR OLD.conversation_id IS DISTINCT FROM NEW.conversation_id
     OR OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.sender_type IS DISTINCT FROM NEW.sender_type
     OR (OLD.metadata ->> 'fallback' = 'true') IS DISTINCT FROM (NEW.metadata ->> 'fallback' = 'true')
     OR (OLD.status = 'skipped') IS DISTINCT FROM (NEW.status = 'skipped') THEN
    WITH d AS MATERIALIZED (
      SELECT x.sign, x.business_id, x.conversation_id, x.created_at, x.sender_type, x.status,
             (x.metadata ->> 'fallback' = 'true') AS fallback, c.channel = 'simulator' AS simulator
        FROM (SELECT 1, NEW.business_id, NEW.conversation_id, NEW.created_at, NEW.sender_type, NEW.status, NEW.metadata
              UNION ALL
              SELECT -1, OLD.business_id, OLD.conversation_id, OLD.created_at, OLD.sender_type, OLD.status, OLD.metadata)
             AS x(sign, business_id, conversation_id, created_at, sender_type, status, metadata)
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
    )
    INSERT INTO analytics_conversation_hour AS r (business_id, hour, conversation_id, messages)
    SELECT d.business_id, analytics_hour(d.created_at), d.conversation_id, sum(d.sign)
      FROM d
     GROUP BY 1, 2, 3
    HAVING sum(d.sign) <> 0
     ORDER BY 1, 2, 3
    ON CONFLICT (business_id, hour, conversation_id) DO UPDATE SET messages = r.messages + excluded.messages;
  END IF;

  -- The first message can move only if this row was a processed customer message and changed in what
  -- the first depends on, or became one with none before it. A customer message processed after an
  -- earlier one (every turn after a conversation's first) is answered by one probe of the
  -- (conversation_id, sequence_number) index. Several rows of one statement: each row's trigger sees
  -- the statement's final rows, and the earliest one's finds nothing before it.
  IF NOT ((was_first_candidate
           AND (NEW.business_id, NEW.conversation_id, NEW.created_at, NEW.stage_id, NEW.sequence_number,
                NEW.sender_type, NEW.status)
               IS DISTINCT FROM (OLD.business_id, OLD.conversation_id, OLD.created_at, OLD.stage_id,
                                 OLD.sequence_number, OLD.sender_type, OLD.status))
          OR (is_first_candidate AND NOT was_first_candidate
              AND NOT EXISTS (SELECT 1 FROM messages m
                               WHERE m.conversation_id = NEW.conversation_id
                                 AND m.sequence_number < NEW.sequence_number
                                 AND m.sender_type = 'user' AND m.status = 'processed'))) THEN
    RETURN NULL;
  END IF;

  -- The first processed customer message of each conversation the row was or is in, looked up again
  -- and moved if it changed (0017's `firsts`).
  WITH touched AS (
    SELECT DISTINCT x.business_id, x.conversation_id
      FROM (VALUES (NEW.business_id, NEW.conversation_id, is_first_candidate),
                   (OLD.business_id, OLD.conversation_id, was_first_candidate))
           AS x(business_id, conversation_id, candidate)
      JOIN conversations c ON c.conversation_id = x.conversation_id
      JOIN businesses b ON b.business_id = x.business_id
     WHERE x.candidate
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
  RETURN NULL;
END $$;
--> statement-breakpoint
-- Fires only when a column a rollup reads changed: the row's day, hour, conversation, business, sender,
-- fallback flag or skipped status, or — for a processed customer message, before or after — its
-- status, stage or sequence (the first message). A delivery status of a reply (sent, delivered, read)
-- never fires it.
CREATE TRIGGER analytics_messages_update
  AFTER UPDATE ON messages
  FOR EACH ROW
  WHEN (OLD.business_id IS DISTINCT FROM NEW.business_id OR OLD.conversation_id IS DISTINCT FROM NEW.conversation_id
        OR OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.sender_type IS DISTINCT FROM NEW.sender_type
        OR (OLD.metadata ->> 'fallback' = 'true') IS DISTINCT FROM (NEW.metadata ->> 'fallback' = 'true')
        OR (OLD.status = 'skipped') IS DISTINCT FROM (NEW.status = 'skipped')
        OR ((OLD.sender_type = 'user' AND OLD.status = 'processed') OR (NEW.sender_type = 'user' AND NEW.status = 'processed'))
           AND (OLD.status IS DISTINCT FROM NEW.status OR OLD.stage_id IS DISTINCT FROM NEW.stage_id
                OR OLD.sequence_number IS DISTINCT FROM NEW.sequence_number))
  EXECUTE FUNCTION analytics_messages_update();
