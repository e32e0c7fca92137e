CREATE TABLE "channel_connections" (
	"connection_id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"external_id" text NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"secrets" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "web_visitor_id" text;--> statement-breakpoint
ALTER TABLE "channel_connections" ADD CONSTRAINT "channel_connections_business_id_businesses_business_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("business_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "channel_connections_business_channel_unique" ON "channel_connections" USING btree ("business_id","channel");--> statement-breakpoint
CREATE UNIQUE INDEX "channel_connections_external_unique" ON "channel_connections" USING btree ("channel","external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_business_web_visitor_unique" ON "users" USING btree ("business_id","web_visitor_id");