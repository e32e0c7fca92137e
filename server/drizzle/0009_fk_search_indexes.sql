-- pg_trgm and btree_gin for the `q=` search index (trusted extensions: the database owner may create them;
-- PGlite loads both). Every index is IF NOT EXISTS: a big installation builds them CONCURRENTLY first
-- (`npm run db:indexes:concurrently`, see ARCHITECTURE.md), and this migration then only records itself.
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS btree_gin;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "businesses_first_stage_idx" ON "businesses" USING btree ("first_stage_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "conversations_stage_idx" ON "conversations" USING btree ("stage_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "conversations_agent_idx" ON "conversations" USING btree ("agent_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "conversations_assignee_idx" ON "conversations" USING btree ("assignee_account_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "conversations_collected_data_idx" ON "conversations" USING gin ("collected_data" jsonb_path_ops);--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "extracted_data_message_idx" ON "extracted_data" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "extracted_data_stage_idx" ON "extracted_data" USING btree ("stage_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "invitations_invited_by_idx" ON "invitations" USING btree ("invited_by");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "llm_calls_stage_idx" ON "llm_calls" USING btree ("stage_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "llm_calls_template_idx" ON "llm_calls" USING btree ("template_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "message_deliveries_business_idx" ON "message_deliveries" USING btree ("business_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "messages_stage_idx" ON "messages" USING btree ("stage_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "messages_business_content_trgm_idx" ON "messages" USING gin ("business_id","message_content" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "password_resets_account_idx" ON "password_resets" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "stage_transitions_message_idx" ON "stage_transitions" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "stage_transitions_from_stage_idx" ON "stage_transitions" USING btree ("from_stage_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "stage_transitions_to_stage_idx" ON "stage_transitions" USING btree ("to_stage_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "stages_selection_template_idx" ON "stages" USING btree ("stage_selection_template_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "stages_extraction_template_idx" ON "stages" USING btree ("data_extraction_template_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "stages_response_template_idx" ON "stages" USING btree ("response_generation_template_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "conversation_notes_author_idx" ON "conversation_notes" USING btree ("author_account_id");