import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { fromJson, rowsOf, toDate } from '../../db/raw-rows.js';
import type { messages } from '../../db/schema.js';

export type MessageRow = typeof messages.$inferSelect;
export type SenderType = 'user' | 'assistant' | 'agent' | 'system';

export interface AppendMessageInput {
  conversationId: string;
  businessId: string;
  senderType: SenderType;
  content: string;
  status: string;
  channel?: string;
  externalMessageId?: string | null;
  stageId?: string | null;
  replyToMessageId?: string | null;
  metadata?: Record<string, unknown> | null;
  /**
   * A customer message keeps the next number free for its reply, so a transcript alternates
   * message/reply in sequence order even when several messages arrive before the first is answered.
   */
  reserveReplySlot?: boolean;
  /** The reserved number (inbound sequence + 1) for a reply; nothing new is reserved. */
  sequenceNumber?: number;
}

/**
 * Stores a message with the conversation's next sequence number, in ONE statement: the UPDATE takes
 * the conversation row's lock, so concurrent appends (from any process) get distinct, consecutive
 * numbers without an explicit transaction.
 *
 * Returns null when nothing was stored: the external message id was already stored for this business
 * and channel (a duplicate delivery), or the conversation does not exist in that business. A known
 * duplicate does not consume a sequence number (the NOT EXISTS guard); only two deliveries of the same
 * id racing each other can leave a gap, which the unique index then turns into a no-op.
 */
export async function appendMessage(db: DbOrTx, m: AppendMessageInput): Promise<MessageRow | null> {
  const channel = m.channel ?? 'api';
  const externalId = m.externalMessageId ?? null;
  const metadata = m.metadata == null ? null : JSON.stringify(m.metadata);
  const step = m.reserveReplySlot ? 2 : 1;
  const explicit = m.sequenceNumber ?? null;
  const result = await db.execute(sql`
    WITH seq AS (
      UPDATE conversations
         SET last_sequence = CASE WHEN ${explicit}::int IS NULL THEN last_sequence + ${step}::int
                                  ELSE greatest(last_sequence, ${explicit}::int) END,
             last_updated = now()
       WHERE conversation_id = ${m.conversationId}
         AND business_id = ${m.businessId}
         AND (${externalId}::text IS NULL OR NOT EXISTS (
               SELECT 1 FROM messages
                WHERE business_id = ${m.businessId} AND channel = ${channel}
                  AND external_message_id = ${externalId}::text))
      RETURNING CASE WHEN ${explicit}::int IS NULL THEN last_sequence - ${step - 1}::int
                     ELSE ${explicit}::int END AS last_sequence
    )
    INSERT INTO messages (conversation_id, business_id, sender_type, message_content, sequence_number,
                          channel, external_message_id, status, stage_id, reply_to_message_id, metadata)
    SELECT ${m.conversationId}, ${m.businessId}, ${m.senderType}, ${m.content}, seq.last_sequence,
           ${channel}, ${externalId}::text, ${m.status}, ${m.stageId ?? null}::uuid,
           ${m.replyToMessageId ?? null}::uuid, ${metadata}::jsonb
      FROM seq
    ON CONFLICT (business_id, channel, external_message_id) DO NOTHING
    RETURNING *`);
  const [row] = rowsOf(result);
  return row ? toMessageRow(row) : null;
}

/** A snake_case `messages` row (raw SQL) in drizzle's camelCase shape. */
export function toMessageRow(row: Record<string, unknown>): MessageRow {
  return {
    messageId: String(row.message_id),
    conversationId: String(row.conversation_id),
    businessId: String(row.business_id),
    senderType: String(row.sender_type),
    messageContent: String(row.message_content),
    sequenceNumber: Number(row.sequence_number),
    channel: String(row.channel),
    externalMessageId: (row.external_message_id as string | null) ?? null,
    status: String(row.status),
    stageId: (row.stage_id as string | null) ?? null,
    replyToMessageId: (row.reply_to_message_id as string | null) ?? null,
    metadata: fromJson<Record<string, unknown>>(row.metadata as Record<string, unknown> | string | null),
    createdAt: toDate(row.created_at),
  };
}
