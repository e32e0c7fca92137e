import { and, desc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { conversations, messages, users } from '../../db/schema.js';
import type { NewCustomer } from '../conversations/index.js';

/** What a visitor sees of a transcript: the customer's words and the replies, nothing internal. */
const VISIBLE = ['user', 'assistant', 'agent'];
const HISTORY_LIMIT = 200;

/** Who a visitor is as a new customer: their user is named after their visitor id until they say. */
export function visitorCustomer(visitorId: string): NewCustomer {
  return { webVisitorId: visitorId, firstName: `Web visitor ${visitorId.slice(0, 6)}` };
}

/** The conversation the widget shows: the user's active one, else the latest. */
export async function findVisitorConversationId(db: DbOrTx, businessId: string, userId: string) {
  const [row] = await db
    .select({ conversationId: conversations.conversationId })
    .from(conversations)
    .where(and(eq(conversations.businessId, businessId), eq(conversations.userId, userId)))
    .orderBy(sql`${conversations.status} = 'active' DESC`, desc(conversations.lastUpdated))
    .limit(1);
  return row?.conversationId ?? null;
}

export type VisibleMessageRow = typeof messages.$inferSelect;

/**
 * The visible messages of one conversation in order: after `afterMessageId` (which must be a message
 * of that conversation; `undefined` when it is not), or the latest ones.
 */
export async function listVisibleMessages(
  db: DbOrTx,
  businessId: string,
  conversationId: string,
  afterMessageId?: string,
): Promise<VisibleMessageRow[] | undefined> {
  const scope = and(
    eq(messages.businessId, businessId),
    eq(messages.conversationId, conversationId),
    inArray(messages.senderType, VISIBLE),
  );
  if (afterMessageId) {
    const [anchor] = await db
      .select({ sequence: messages.sequenceNumber })
      .from(messages)
      .where(
        and(
          eq(messages.businessId, businessId),
          eq(messages.conversationId, conversationId),
          eq(messages.messageId, afterMessageId),
        ),
      )
      .limit(1);
    if (!anchor) return undefined;
    return db
      .select()
      .from(messages)
      .where(and(scope, gt(messages.sequenceNumber, anchor.sequence)))
      .orderBy(messages.sequenceNumber)
      .limit(HISTORY_LIMIT);
  }
  const latest = await db
    .select()
    .from(messages)
    .where(scope)
    .orderBy(desc(messages.sequenceNumber))
    .limit(HISTORY_LIMIT);
  return latest.reverse();
}

/** One visible message of the given conversation, or null. */
export async function findVisibleMessage(
  db: DbOrTx,
  businessId: string,
  conversationId: string,
  messageId: string,
) {
  const [row] = await db
    .select()
    .from(messages)
    .where(
      and(
        eq(messages.businessId, businessId),
        eq(messages.conversationId, conversationId),
        eq(messages.messageId, messageId),
        inArray(messages.senderType, VISIBLE),
      ),
    )
    .limit(1);
  return row ?? null;
}

/** The web visitor id of a conversation's customer (null for other channels' customers or none). */
export async function conversationVisitor(db: DbOrTx, businessId: string, conversationId: string) {
  const [row] = await db
    .select({ visitorId: users.webVisitorId })
    .from(conversations)
    .innerJoin(users, eq(users.userId, conversations.userId))
    .where(and(eq(conversations.businessId, businessId), eq(conversations.conversationId, conversationId)))
    .limit(1);
  return row?.visitorId ?? null;
}

export function toWidgetMessage(row: VisibleMessageRow) {
  return {
    message_id: row.messageId,
    conversation_id: row.conversationId,
    sender_type: (row.senderType === 'user' ? 'customer' : row.senderType) as
      | 'customer'
      | 'assistant'
      | 'agent',
    content: row.messageContent,
    created_at: row.createdAt.toISOString(),
  };
}
