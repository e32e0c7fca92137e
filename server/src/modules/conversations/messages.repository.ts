import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { fromJson, rowsOf, toDate } from '../../db/raw-rows.js';
import { messages } from '../../db/schema.js';

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
 * Which conversation a message goes to: the given one (of the business), or — `activeOnly` — the given
 * one if it is active and (when named) the user's, else the user's most recently updated active one.
 */
export type MessageTarget =
  | { conversationId: string; userId?: undefined; activeOnly?: false }
  | { conversationId?: string | undefined; userId?: string | undefined; activeOnly: true }
  /** The user found by `userQuery` (a one-column subquery), so a returning customer is one statement. */
  | { userQuery: SQL; activeOnly: true };

export type InsertMessageInput = Omit<AppendMessageInput, 'conversationId'> & { target: MessageTarget };

/**
 * `waiting_since` after a message of this sender, as an SQL expression on the conversation `c`: a
 * customer message starts the wait (unless one is already running), an agent's reply ends it, an
 * assistant's reply ends it unless the AI is stopped (then a person still has to answer).
 */
export function waitingAfter(senderType: string) {
  if (senderType === 'user') return sql`coalesce(c.waiting_since, now())`;
  if (senderType === 'agent') return sql`NULL::timestamptz`;
  if (senderType === 'assistant') {
    return sql`CASE WHEN c.ai_stopped_at IS NOT NULL AND (c.ai_stopped_until IS NULL OR c.ai_stopped_until > now())
                    THEN c.waiting_since ELSE NULL END`;
  }
  return sql`c.waiting_since`;
}

/**
 * The target conversation's condition, written for the case at hand so each case is its own statement
 * text (and prepared statement) with a plain, indexable predicate: by id (primary key), or by user
 * (`conversations_user_status_idx`), given or found by channel identity in a subquery. One text for
 * all cases, with the choice in a `CASE` on parameters, was planned generically once prepared: a walk
 * over every conversation of the business per message (linear in the business's conversations).
 */
function targetPredicate(target: MessageTarget) {
  const active = target.activeOnly === true ? sql` AND c.status = 'active'` : sql``;
  if ('userQuery' in target) return sql`c.user_id = (${target.userQuery})${active}`;
  if (target.conversationId) {
    const owner = target.userId ? sql` AND c.user_id = ${target.userId}::uuid` : sql``;
    return sql`c.conversation_id = ${target.conversationId}::uuid${owner}${active}`;
  }
  // No conversation and no user: nothing to target (the caller creates the conversation).
  if (!target.userId) return sql`false`;
  return sql`c.user_id = ${target.userId}::uuid${active}`;
}

/**
 * THE message insert, in ONE statement: the UPDATE of the target conversation takes its row lock,
 * moves `last_updated` and `waiting_since` (see `waitingAfter`) and bumps `last_sequence`, so concurrent inserts (from any process) get distinct, consecutive numbers
 * without an explicit transaction.
 *
 * Returns null when nothing was stored: no such conversation in that business (or none active for the
 * user), or the external message id was already stored for this business and channel (a duplicate
 * delivery). A known duplicate does not consume a sequence number (the NOT EXISTS guard); only two
 * deliveries of the same id racing each other can leave a gap, which the unique index turns into a no-op.
 */
export async function insertMessage(
  db: DbOrTx,
  m: InsertMessageInput,
): Promise<{
  message: MessageRow;
  ownerId: string;
  ownerName?: { firstName: string; lastName: string };
} | null> {
  const channel = m.channel ?? 'api';
  const externalId = m.externalMessageId ?? null;
  const metadata = m.metadata == null ? null : JSON.stringify(m.metadata);
  const step = m.reserveReplySlot ? 2 : 1;
  const explicit = m.sequenceNumber ?? null;
  const target = m.target;
  const ownerNameColumns =
    'userQuery' in target
      ? sql`, (SELECT u.first_name FROM users u WHERE u.user_id = (SELECT user_id FROM seq)) AS owner_first_name,
              (SELECT u.last_name FROM users u WHERE u.user_id = (SELECT user_id FROM seq)) AS owner_last_name`
      : sql``;
  const [row] = rowsOf(
    await db.execute(sql`
    WITH target AS (
      SELECT c.conversation_id FROM conversations c
       WHERE c.business_id = ${m.businessId} AND ${targetPredicate(target)}
       ORDER BY c.last_updated DESC
       LIMIT 1
    ), seq AS (
      UPDATE conversations c
         SET last_sequence = CASE WHEN ${explicit}::int IS NULL THEN c.last_sequence + ${step}::int
                                  ELSE greatest(c.last_sequence, ${explicit}::int) END,
             last_updated = now(),
             waiting_since = ${waitingAfter(m.senderType)}
        FROM target
       WHERE c.conversation_id = target.conversation_id
         AND (${externalId}::text IS NULL OR NOT EXISTS (
               SELECT 1 FROM messages m
                WHERE m.business_id = ${m.businessId} AND m.channel = ${channel}
                  AND m.external_message_id = ${externalId}::text))
      RETURNING c.conversation_id, c.user_id,
                CASE WHEN ${explicit}::int IS NULL THEN c.last_sequence - ${step - 1}::int
                     ELSE ${explicit}::int END AS sequence_number
    )
    INSERT INTO messages (conversation_id, business_id, sender_type, message_content, sequence_number,
                          channel, external_message_id, status, stage_id, reply_to_message_id, metadata)
    SELECT seq.conversation_id, ${m.businessId}, ${m.senderType}, ${m.content}, seq.sequence_number,
           ${channel}, ${externalId}::text, ${m.status}, ${m.stageId ?? null}::uuid,
           ${m.replyToMessageId ?? null}::uuid, ${metadata}::jsonb
      FROM seq
    ON CONFLICT (business_id, channel, external_message_id) DO NOTHING
    RETURNING *, (SELECT user_id FROM seq) AS owner_id${ownerNameColumns}`),
  );
  if (!row) return null;
  const stored = { message: toMessageRow(row), ownerId: String(row.owner_id) };
  // Found by `userQuery` (a channel identity): the caller compares the stored name with the channel's.
  if (!('userQuery' in target)) return stored;
  return {
    ...stored,
    ownerName: { firstName: String(row.owner_first_name ?? ''), lastName: String(row.owner_last_name ?? '') },
  };
}

/** A message appended to a known conversation of the business (null: none such, or a duplicate). */
export async function appendMessage(db: DbOrTx, m: AppendMessageInput): Promise<MessageRow | null> {
  const { conversationId, ...rest } = m;
  const stored = await insertMessage(db, { ...rest, target: { conversationId } });
  return stored?.message ?? null;
}

export async function findMessage(db: DbOrTx, messageId: string) {
  const [row] = await db.select().from(messages).where(eq(messages.messageId, messageId)).limit(1);
  return row;
}

/** A message by the channel's own id, for idempotent deliveries. */
export async function findMessageByExternalId(
  db: DbOrTx,
  businessId: string,
  channel: string,
  externalId: string,
) {
  const [row] = await db
    .select()
    .from(messages)
    .where(
      and(
        eq(messages.businessId, businessId),
        eq(messages.channel, channel),
        eq(messages.externalMessageId, externalId),
      ),
    )
    .limit(1);
  return row;
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

/** When the customer last wrote in the conversation (null: never). */
export async function lastCustomerMessageAt(db: DbOrTx, conversationId: string): Promise<Date | null> {
  const [row] = await db
    .select({ at: sql<Date | string | null>`max(${messages.createdAt})` })
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), eq(messages.senderType, 'user')));
  return row?.at ? toDate(row.at) : null;
}
