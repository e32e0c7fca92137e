-- Audit entries name their actor (account, named API key or the master key) and carry the entity's
-- public JSON before and after the change. Rows written before this keep their `details` and get an
-- actor derived from the old `actor_role` (admin → the master key, business → the business key).
ALTER TABLE "audit_logs" ADD COLUMN "actor_type" text;--> statement-breakpoint
ALTER TABLE "audit_logs" ADD COLUMN "actor_id" text;--> statement-breakpoint
ALTER TABLE "audit_logs" ADD COLUMN "actor_name" text;--> statement-breakpoint
ALTER TABLE "audit_logs" ADD COLUMN "before" jsonb;--> statement-breakpoint
ALTER TABLE "audit_logs" ADD COLUMN "after" jsonb;--> statement-breakpoint
UPDATE "audit_logs" SET
  "actor_type" = CASE WHEN "actor_role" = 'admin' THEN 'master' ELSE 'api_key' END,
  "actor_name" = CASE WHEN "actor_role" = 'admin' THEN 'master key' ELSE 'business key' END;--> statement-breakpoint
UPDATE "audit_logs" SET "action" = 'rotate_key', "entity_type" = 'api_key', "entity_id" = NULL WHERE "action" = 'rotate-key';--> statement-breakpoint
ALTER TABLE "audit_logs" ALTER COLUMN "actor_type" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_logs" ALTER COLUMN "actor_name" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_logs" DROP COLUMN "actor_role";--> statement-breakpoint
CREATE INDEX "audit_logs_business_entity_created_idx" ON "audit_logs" USING btree ("business_id","entity_type","created_at");--> statement-breakpoint
CREATE INDEX "audit_logs_business_actor_created_idx" ON "audit_logs" USING btree ("business_id","actor_id","created_at");
--> statement-breakpoint
-- clock_timestamp(), not now(): the entries one transaction writes keep their order.
ALTER TABLE "audit_logs" ALTER COLUMN "created_at" SET DEFAULT clock_timestamp();
