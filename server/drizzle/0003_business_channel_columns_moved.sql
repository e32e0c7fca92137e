-- Channel connections moved to channel_connections (0001). Keep the phone number ids and page ids a
-- business had set; their tokens were stored unsealed here and must be entered again.
INSERT INTO "channel_connections" ("business_id", "channel", "external_id")
SELECT "business_id", 'whatsapp', "whatsapp_phone_number_id" FROM "businesses" WHERE "whatsapp_phone_number_id" IS NOT NULL
ON CONFLICT DO NOTHING;--> statement-breakpoint
INSERT INTO "channel_connections" ("business_id", "channel", "external_id")
SELECT "business_id", 'messenger', "messenger_page_id" FROM "businesses" WHERE "messenger_page_id" IS NOT NULL
ON CONFLICT DO NOTHING;--> statement-breakpoint
DROP INDEX "businesses_widget_key_unique";--> statement-breakpoint
DROP INDEX "businesses_whatsapp_unique";--> statement-breakpoint
DROP INDEX "businesses_messenger_unique";--> statement-breakpoint
ALTER TABLE "businesses" DROP COLUMN "widget_key";--> statement-breakpoint
ALTER TABLE "businesses" DROP COLUMN "whatsapp_phone_number_id";--> statement-breakpoint
ALTER TABLE "businesses" DROP COLUMN "messenger_page_id";--> statement-breakpoint
ALTER TABLE "businesses" DROP COLUMN "channel_secrets";