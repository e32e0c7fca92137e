-- A sent reply's delivered and read (Meta's status webhooks, two per reply) move to a column of their
-- own. `status` is named by three partial indexes' predicates, so an update that changes it cannot be
-- HOT: the row enters every index of messages again, the trigram GIN over its text included (~5 KiB of
-- WAL per reply for the two statuses; ARCHITECTURE.md, "Performance", sixteenth pass). `receipt` is in
-- no index and no trigger condition. Rows written delivered or read before this migration keep their
-- status; the next status that moves one makes it sent + receipt.
ALTER TABLE "messages" ADD COLUMN "receipt" text;
