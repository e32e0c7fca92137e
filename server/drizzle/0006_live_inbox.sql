-- Live inbox (issue 11): who handles a conversation, since when a customer waits for an answer,
-- how far each team account has read it, and stages that hand the conversation to the team.
CREATE TABLE "conversation_reads" (
	"account_id" uuid NOT NULL,
	"conversation_id" uuid NOT NULL,
	"last_read_sequence" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "conversation_reads_account_id_conversation_id_pk" PRIMARY KEY("account_id","conversation_id")
);
--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "assignee_account_id" uuid;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "waiting_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "stages" ADD COLUMN "handoff" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "conversation_reads" ADD CONSTRAINT "conversation_reads_account_id_accounts_account_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("account_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_reads" ADD CONSTRAINT "conversation_reads_conversation_id_conversations_conversation_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("conversation_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "conversation_reads_conversation_idx" ON "conversation_reads" USING btree ("conversation_id");--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_assignee_account_id_accounts_account_id_fk" FOREIGN KEY ("assignee_account_id") REFERENCES "public"."accounts"("account_id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "conversations_business_assignee_idx" ON "conversations" USING btree ("business_id","assignee_account_id","last_updated");--> statement-breakpoint
CREATE INDEX "conversations_business_waiting_idx" ON "conversations" USING btree ("business_id","waiting_since") WHERE "conversations"."waiting_since" IS NOT NULL;