ALTER TABLE "stage_transitions" ADD COLUMN "reason" text;--> statement-breakpoint
ALTER TABLE "stages" ADD COLUMN "allowed_next_stage_ids" jsonb;--> statement-breakpoint
ALTER TABLE "stages" ADD COLUMN "transition_rules" jsonb DEFAULT '[]'::jsonb NOT NULL;