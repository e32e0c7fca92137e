-- A channel's own message ids (a WhatsApp wamid, a Messenger mid, an API client's idempotency key) are
-- looked up by the id alone. With business_id first in messages' unique index, a business the statistics
-- underestimate (one that grew since the last ANALYZE: a new business on a large table never reaches
-- autovacuum's threshold alone) is estimated at a row or two, messages_business_created_idx looks
-- cheaper than the key, and every redelivery check of an inbound message and every status webhook
-- walked the business's messages. With the id first, the lookup reads the id and checks business and
-- channel after (db/message-by-external-id.ts), as 0029 did for customers. Partial: most messages (the
-- replies, API messages without a key) have no such id and no longer enter the index. ON CONFLICT
-- (business_id, channel, external_message_id) WHERE external_message_id IS NOT NULL infers it.
-- The new index first, so uniqueness holds throughout; IF NOT EXISTS: a big installation builds it
-- CONCURRENTLY first (`npm run db:indexes:concurrently`).
CREATE UNIQUE INDEX IF NOT EXISTS "messages_external_id_business_unique" ON "messages" USING btree ("external_message_id","business_id","channel") WHERE "messages"."external_message_id" IS NOT NULL;--> statement-breakpoint
DROP INDEX IF EXISTS "messages_external_id_unique";--> statement-breakpoint
-- A status webhook that names a reply's later part by its Graph id alone (a split reply's second send,
-- reported without our reference), or an id we never sent (a test message, another tool on the same
-- number), looked for it in message_deliveries.graph_message_ids: through the GIN index, whose pending
-- list every search reads whole (up to gin_pending_list_limit, 4 MB), or, for a business the statistics
-- underestimate, by walking all of the business's deliveries. Each later part's Graph id now has a row
-- here, keyed by the id, so such a status is one probe; the GIN index goes, and the update that records
-- a part sent can be HOT. ARCHITECTURE.md, "Performance", twenty-first pass.
CREATE TABLE "message_delivery_parts" (
	"graph_message_id" text NOT NULL,
	"business_id" uuid NOT NULL,
	"message_id" uuid NOT NULL,
	"part" integer NOT NULL,
	CONSTRAINT "message_delivery_parts_graph_message_id_business_id_pk" PRIMARY KEY("graph_message_id","business_id")
);
--> statement-breakpoint
-- The later parts already sent (the first part's id is the message's external_message_id).
INSERT INTO "message_delivery_parts" ("graph_message_id", "business_id", "message_id", "part")
SELECT d.graph_message_ids[i], d.business_id, d.message_id, i - 1
  FROM "message_deliveries" d CROSS JOIN LATERAL generate_subscripts(d.graph_message_ids, 1) AS i
 WHERE cardinality(d.graph_message_ids) > 1 AND i > 1
ON CONFLICT DO NOTHING;--> statement-breakpoint
ALTER TABLE "message_delivery_parts" ADD CONSTRAINT "message_delivery_parts_message_id_messages_message_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("message_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "message_delivery_parts_message_idx" ON "message_delivery_parts" USING btree ("message_id");--> statement-breakpoint
DROP INDEX IF EXISTS "message_deliveries_graph_ids_idx";
