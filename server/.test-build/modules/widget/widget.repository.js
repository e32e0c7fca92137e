import { and, desc, eq, gt, inArray, sql } from 'drizzle-orm';
import { conversations, messages, users } from '../../db/schema.js';
/** What a visitor sees of a transcript: the customer's words and the replies, nothing internal. */
const VISIBLE = ['user', 'assistant', 'agent'];
const HISTORY_LIMIT = 200;
export async function findVisitorUserId(db, businessId, visitorId) {
    const [row] = await db
        .select({ userId: users.userId })
        .from(users)
        .where(and(eq(users.businessId, businessId), eq(users.webVisitorId, visitorId)))
        .limit(1);
    return row?.userId ?? null;
}
/** The visitor's user, created on their first message (two tabs racing create one). */
export async function findOrCreateVisitorUserId(db, businessId, visitorId) {
    const [created] = await db
        .insert(users)
        .values({ businessId, webVisitorId: visitorId, firstName: `Web visitor ${visitorId.slice(0, 6)}` })
        .onConflictDoNothing()
        .returning({ userId: users.userId });
    return created?.userId ?? (await findVisitorUserId(db, businessId, visitorId));
}
/** The conversation the widget shows: the user's active one, else the latest. */
export async function findVisitorConversationId(db, businessId, userId) {
    const [row] = await db
        .select({ conversationId: conversations.conversationId })
        .from(conversations)
        .where(and(eq(conversations.businessId, businessId), eq(conversations.userId, userId)))
        .orderBy(sql `${conversations.status} = 'active' DESC`, desc(conversations.lastUpdated))
        .limit(1);
    return row?.conversationId ?? null;
}
/**
 * The visible messages of one conversation in order: after `afterMessageId` (which must be a message
 * of that conversation; `undefined` when it is not), or the latest ones.
 */
export async function listVisibleMessages(db, businessId, conversationId, afterMessageId) {
    const scope = and(eq(messages.businessId, businessId), eq(messages.conversationId, conversationId), inArray(messages.senderType, VISIBLE));
    if (afterMessageId) {
        const [anchor] = await db
            .select({ sequence: messages.sequenceNumber })
            .from(messages)
            .where(and(eq(messages.businessId, businessId), eq(messages.conversationId, conversationId), eq(messages.messageId, afterMessageId)))
            .limit(1);
        if (!anchor)
            return undefined;
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
export async function findVisibleMessage(db, businessId, conversationId, messageId) {
    const [row] = await db
        .select()
        .from(messages)
        .where(and(eq(messages.businessId, businessId), eq(messages.conversationId, conversationId), eq(messages.messageId, messageId), inArray(messages.senderType, VISIBLE)))
        .limit(1);
    return row ?? null;
}
/** The web visitor id of a conversation's customer (null for other channels' customers or none). */
export async function conversationVisitor(db, businessId, conversationId) {
    const [row] = await db
        .select({ visitorId: users.webVisitorId })
        .from(conversations)
        .innerJoin(users, eq(users.userId, conversations.userId))
        .where(and(eq(conversations.businessId, businessId), eq(conversations.conversationId, conversationId)))
        .limit(1);
    return row?.visitorId ?? null;
}
export function toWidgetMessage(row) {
    return {
        message_id: row.messageId,
        conversation_id: row.conversationId,
        sender_type: (row.senderType === 'user' ? 'customer' : row.senderType),
        content: row.messageContent,
        created_at: row.createdAt.toISOString(),
    };
}
//# sourceMappingURL=widget.repository.js.map