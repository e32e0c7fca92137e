-- The outbox's claim takes, of each conversation, its earliest queued reply (replies leave in
-- conversation order). It found them by walking every queued reply oldest first and probing each one's
-- delivery row, so a backlog left by a Graph outage — replies waiting out their backoff — cost every
-- claim the whole backlog (51,200 queued replies in 256 conversations: 102,656 rows read, 28 ms per
-- claim, `npm run bench:outbox`). With this index the claim skips from conversation to conversation,
-- one probe each (768 rows, 4 ms). ARCHITECTURE.md, "Performance", sixteenth pass.
-- IF NOT EXISTS: a big installation builds it CONCURRENTLY first (`npm run db:indexes:concurrently`).
CREATE INDEX IF NOT EXISTS "messages_queued_conversation_idx" ON "messages" USING btree ("conversation_id","sequence_number") WHERE "messages"."status" = 'queued';
