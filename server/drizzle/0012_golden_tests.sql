CREATE TABLE "test_cases" (
	"test_case_id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"stage_id" uuid NOT NULL,
	"name" text NOT NULL,
	"history" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"collected_data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"message" text NOT NULL,
	"expectations" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"source_message_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "test_run_results" (
	"test_run_result_id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"test_run_id" uuid NOT NULL,
	"business_id" uuid NOT NULL,
	"test_case_id" uuid NOT NULL,
	"case_name" text NOT NULL,
	"iteration" integer NOT NULL,
	"passed" boolean NOT NULL,
	"reply" text DEFAULT '' NOT NULL,
	"stage_id" uuid,
	"extracted_data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"steps" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"latency_ms" integer DEFAULT 0 NOT NULL,
	"tokens_in" integer DEFAULT 0 NOT NULL,
	"tokens_out" integer DEFAULT 0 NOT NULL,
	"cost_usd" double precision DEFAULT 0 NOT NULL,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "test_runs" (
	"test_run_id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"target" text NOT NULL,
	"model" text,
	"repeat" integer DEFAULT 1 NOT NULL,
	"test_case_ids" jsonb NOT NULL,
	"stage_id" uuid,
	"status" text DEFAULT 'queued' NOT NULL,
	"total" integer DEFAULT 0 NOT NULL,
	"lease_owner" text,
	"lease_until" timestamp with time zone,
	"error" text,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "test_cases" ADD CONSTRAINT "test_cases_business_id_businesses_business_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("business_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "test_cases" ADD CONSTRAINT "test_cases_stage_id_stages_stage_id_fk" FOREIGN KEY ("stage_id") REFERENCES "public"."stages"("stage_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "test_run_results" ADD CONSTRAINT "test_run_results_test_run_id_test_runs_test_run_id_fk" FOREIGN KEY ("test_run_id") REFERENCES "public"."test_runs"("test_run_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "test_run_results" ADD CONSTRAINT "test_run_results_business_id_businesses_business_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("business_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "test_runs" ADD CONSTRAINT "test_runs_business_id_businesses_business_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("business_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "test_cases_business_stage_idx" ON "test_cases" USING btree ("business_id","stage_id","created_at");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "test_cases_stage_idx" ON "test_cases" USING btree ("stage_id");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "test_run_results_run_case_iteration_unique" ON "test_run_results" USING btree ("test_run_id","test_case_id","iteration");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "test_run_results_business_idx" ON "test_run_results" USING btree ("business_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "test_runs_business_created_idx" ON "test_runs" USING btree ("business_id","created_at");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "test_runs_unfinished_idx" ON "test_runs" USING btree ("lease_until") WHERE "test_runs"."status" IN ('queued', 'running');