-- A customer is found by their channel identity (WhatsApp id, Messenger PSID, website visitor id) in
-- their business. With the business first in these unique indexes, a business the statistics
-- underestimate (one that grew since the last ANALYZE: a new business on a large table never reaches
-- autovacuum's threshold alone) is estimated at a row or two, every index that starts with business_id
-- looks as good as the identity's, and the planner took the narrowest — walking the business's
-- customers for each message. With the identity first, the lookup reads the identity alone and checks
-- the business after (messages.repository.ts). ON CONFLICT (business_id, <identity>) infers these
-- indexes whatever their column order. ARCHITECTURE.md, "Performance", seventeenth pass.
-- The new ones first, so uniqueness holds throughout; IF NOT EXISTS: a big installation builds them
-- CONCURRENTLY first (`npm run db:indexes:concurrently`).
CREATE UNIQUE INDEX IF NOT EXISTS "users_whatsapp_business_unique" ON "users" USING btree ("whatsapp_id","business_id");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "users_messenger_business_unique" ON "users" USING btree ("messenger_psid","business_id");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "users_web_visitor_business_unique" ON "users" USING btree ("web_visitor_id","business_id");--> statement-breakpoint
DROP INDEX IF EXISTS "users_business_whatsapp_unique";--> statement-breakpoint
DROP INDEX IF EXISTS "users_business_messenger_unique";--> statement-breakpoint
DROP INDEX IF EXISTS "users_business_web_visitor_unique";
