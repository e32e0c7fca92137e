import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { rowsOf } from '../../db/raw-rows.js';
import { type MessageRow, toMessageRow } from '../conversations/append-message.js';

export interface StoreInboundInput {
  businessId: string;
  content: string;
  channel: string;
  userId?: string | undefined;
  conversationId?: string | undefined;
  externalMessageId?: string | undefined;
}

/**
 * The common case in ONE statement: the message goes to the given conversation (of this business and,
 * when named, this user) or to the user's active one, reserving the next number for its reply.
 * `null` when there is no such conversation (first contact, a closed one, a foreign id, a duplicate):
 * the caller then takes the general path that creates or refuses.
 */
export async function storeInboundInExistingConversation(
  db: DbOrTx,
  input: StoreInboundInput,
): Promise<{ message: MessageRow; userId: string } | null> {
  if (!input.conversationId && !input.userId) return null;
  const conversationId = input.conversationId ?? null;
  const userId = input.userId ?? null;
  const externalId = input.externalMessageId ?? null;
  const rows = rowsOf(
    await db.execute(sql`
    WITH target AS (
      SELECT c.conversation_id FROM conversations c
       WHERE c.business_id = ${input.businessId}
         AND c.status = 'active'
         AND CASE WHEN ${conversationId}::uuid IS NOT NULL
                  THEN c.conversation_id = ${conversationId}::uuid AND (${userId}::uuid IS NULL OR c.user_id = ${userId}::uuid)
                  ELSE c.user_id = ${userId}::uuid END
       ORDER BY c.last_updated DESC
       LIMIT 1
    ), seq AS (
      UPDATE conversations c
         SET last_sequence = c.last_sequence + 2, last_updated = now()
        FROM target
       WHERE c.conversation_id = target.conversation_id
         AND (${externalId}::text IS NULL OR NOT EXISTS (
               SELECT 1 FROM messages m
                WHERE m.business_id = ${input.businessId} AND m.channel = ${input.channel}
                  AND m.external_message_id = ${externalId}::text))
      RETURNING c.conversation_id, c.user_id, c.last_sequence - 1 AS sequence_number
    )
    INSERT INTO messages (conversation_id, business_id, sender_type, message_content, sequence_number, channel,
                          external_message_id, status)
    SELECT seq.conversation_id, ${input.businessId}, 'user', ${input.content}, seq.sequence_number, ${input.channel},
           ${externalId}::text, 'pending'
      FROM seq
    ON CONFLICT (business_id, channel, external_message_id) DO NOTHING
    RETURNING *, (SELECT user_id FROM seq) AS owner_id`),
  );
  const [row] = rows;
  return row ? { message: toMessageRow(row), userId: String(row.owner_id) } : null;
}
