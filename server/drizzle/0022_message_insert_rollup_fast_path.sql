-- Every turn inserts two messages, one statement each (the customer's, pending; the reply), and each
-- ran the statement trigger's whole set-based body (0017): a materialised CTE over the transition
-- table, grouped daily and hourly upserts, and the stage-entry reconciliation, which a pending or
-- answering message cannot change. A statement of one row that is not a processed customer message
-- now takes two single-row upserts with the same deltas; any other statement (several rows, or a
-- processed customer message, which may become its conversation's first) runs the set-based body as
-- before. Measured (pgbench, single-row inserts of a reply, 2 clients, backend CPU per insert with its
-- commit, medians of 3 interleaved): 0.44 ms -> 0.36 ms, without the trigger 0.23 ms.
CREATE OR REPLACE FUNCTION analytics_messages_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
  first_candidate boolean;
  one record;
BEGIN
  -- One row that cannot be a conversation's first processed customer message (every message a turn
  -- writes: the customer's, pending; the reply): two single-row upserts, no grouping.
  SELECT count(*), coalesce(bool_or(x.sender_type = 'user' AND x.status = 'processed'), false)
    INTO n, first_candidate FROM new_rows x;
  IF n = 1 AND NOT first_candidate THEN
    SELECT x.business_id, x.conversation_id, x.created_at, x.sender_type, x.status,
           coalesce(x.metadata ->> 'fallback' = 'true', false) AS fallback, c.channel = 'simulator' AS simulator
      INTO one
      FROM new_rows x
      JOIN conversations c ON c.conversation_id = x.conversation_id
      JOIN businesses b ON b.business_id = x.business_id;
    IF FOUND THEN
      INSERT INTO analytics_daily AS t (business_id, day, simulator, slot, messages, user_messages,
                                        assistant_messages, agent_messages, fallback_replies, ai_stopped_messages)
      VALUES (one.business_id, (one.created_at AT TIME ZONE 'UTC')::date, one.simulator, analytics_slot(), 1,
              (one.sender_type = 'user')::int, (one.sender_type = 'assistant')::int, (one.sender_type = 'agent')::int,
              (one.sender_type = 'assistant' AND one.fallback)::int, (one.sender_type = 'user' AND one.status = 'skipped')::int)
      ON CONFLICT (business_id, day, simulator, slot) DO UPDATE
         SET messages = t.messages + excluded.messages,
             user_messages = t.user_messages + excluded.user_messages,
             assistant_messages = t.assistant_messages + excluded.assistant_messages,
             agent_messages = t.agent_messages + excluded.agent_messages,
             fallback_replies = t.fallback_replies + excluded.fallback_replies,
             ai_stopped_messages = t.ai_stopped_messages + excluded.ai_stopped_messages;
      INSERT INTO analytics_conversation_hour AS t (business_id, hour, conversation_id, messages)
      VALUES (one.business_id, analytics_hour(one.created_at), one.conversation_id, 1)
      ON CONFLICT (business_id, hour, conversation_id) DO UPDATE SET messages = t.messages + excluded.messages;
    END IF;
    RETURN NULL;
  END IF;

  -- Several rows, or a processed customer message: the set-based body (0017).
  WITH d AS MATERIALIZED (
    SELECT x.sign, x.business_id, x.conversation_id, x.created_at, x.sender_type, x.status,
           (x.metadata ->> 'fallback' = 'true') AS fallback, c.channel = 'simulator' AS simulator
      FROM (SELECT 1 AS sign, * FROM new_rows) AS x
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
  ON CONFLICT (business_id, hour, stage_id, conversation_id) DO UPDATE SET first = r.first + excluded.first;
  RETURN NULL;
END $$;
