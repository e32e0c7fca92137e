-- A conversation's processed customer messages in sequence order. Every turn's pending → processed
-- update runs the analytics trigger's "is there an earlier processed customer message?" probe (0020),
-- and the stage-entry rollup looks up the first such message. On the (conversation_id,
-- sequence_number) index the planner, misjudging how many rows match (stale or missing statistics),
-- chose a bitmap scan of every message before it: a cost growing with the conversation (96,000
-- messages: 5 ms of a turn). Here both are one index-only probe, whatever the statistics.
-- IF NOT EXISTS: a big installation builds it CONCURRENTLY first (`npm run db:indexes:concurrently`).
CREATE INDEX IF NOT EXISTS "messages_first_customer_idx" ON "messages" USING btree ("conversation_id","sequence_number") WHERE "messages"."sender_type" = 'user' AND "messages"."status" = 'processed';
