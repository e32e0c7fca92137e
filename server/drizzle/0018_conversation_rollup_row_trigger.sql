-- Conversations are updated three times per message (the inbound's sequence, the lease, the turn's
-- write) and never in the columns their rollups count. The statement trigger (0010, body from 0017)
-- still ran on each — its transition tables copied, its upserts planned for rows that all cancel out.
-- Now a row trigger runs only when a row's business, id, start or channel changes, with the same body
-- on that row's two signed versions: the same deltas, summed per key as before.
DROP TRIGGER analytics_conversations_update ON conversations;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION analytics_conversations_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH d AS MATERIALIZED (
    SELECT x.sign, x.business_id, x.conversation_id, x.start_time, x.channel = 'simulator' AS simulator
      FROM (SELECT 1 AS sign, NEW.business_id, NEW.conversation_id, NEW.start_time, NEW.channel
            UNION ALL
            SELECT -1, OLD.business_id, OLD.conversation_id, OLD.start_time, OLD.channel)
           AS x(sign, business_id, conversation_id, start_time, channel)
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
   GROUP BY 1, 2, 3
  HAVING sum(d.sign) <> 0
   ORDER BY 1, 2, 3
  ON CONFLICT (business_id, hour, conversation_id) DO UPDATE SET started = r.started + excluded.started;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER analytics_conversations_update
  AFTER UPDATE OF business_id, conversation_id, start_time, channel ON conversations
  FOR EACH ROW
  WHEN (OLD.business_id IS DISTINCT FROM NEW.business_id OR OLD.conversation_id IS DISTINCT FROM NEW.conversation_id
        OR OLD.start_time IS DISTINCT FROM NEW.start_time OR OLD.channel IS DISTINCT FROM NEW.channel)
  EXECUTE FUNCTION analytics_conversations_update();
