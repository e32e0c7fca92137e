import { and, desc, eq, lt, ne, sql } from 'drizzle-orm';
import { conversations, messages, stageTransitions, users } from '../../../db/schema.js';
// One bounded query per variable provider, each scoped by business; providers memoise the answers
// across the renders of one turn.
export async function findConversationFacts(db, businessId, conversationId) {
    const [row] = await db
        .select({
        userId: conversations.userId,
        stageId: conversations.stageId,
        collectedData: conversations.collectedData,
    })
        .from(conversations)
        .where(and(eq(conversations.conversationId, conversationId), eq(conversations.businessId, businessId)))
        .limit(1);
    return row;
}
export async function findUserName(db, businessId, userId) {
    const [row] = await db
        .select({ firstName: users.firstName, lastName: users.lastName })
        .from(users)
        .where(and(eq(users.userId, userId), eq(users.businessId, businessId)))
        .limit(1);
    return row;
}
/** The newest `limit` messages before `beforeMessageId` (all when null), newest first. */
export function listRecentMessages(db, businessId, conversationId, beforeMessageId, limit) {
    return db
        .select({
        senderType: messages.senderType,
        content: messages.messageContent,
        createdAt: messages.createdAt,
    })
        .from(messages)
        .where(and(eq(messages.conversationId, conversationId), eq(messages.businessId, businessId), beforeMessageId
        ? lt(messages.sequenceNumber, sql `coalesce((select m.sequence_number from ${messages} m where m.message_id = ${beforeMessageId} and m.conversation_id = ${conversationId}), 2147483647)`)
        : undefined))
        .orderBy(desc(messages.sequenceNumber))
        .limit(limit);
}
/** The newest `limit` messages of all the user's conversations except `exceptMessageId`, newest first. */
export function listUserHistory(db, businessId, userId, exceptMessageId, limit) {
    return db
        .select({
        conversationId: messages.conversationId,
        senderType: messages.senderType,
        content: messages.messageContent,
    })
        .from(messages)
        .innerJoin(conversations, eq(conversations.conversationId, messages.conversationId))
        .where(and(eq(messages.businessId, businessId), eq(conversations.businessId, businessId), eq(conversations.userId, userId), exceptMessageId ? ne(messages.messageId, exceptMessageId) : undefined))
        .orderBy(desc(messages.createdAt), desc(messages.sequenceNumber))
        .limit(limit);
}
/** The stage the conversation came from when it last entered `toStageId`. */
export async function findPreviousStageId(db, businessId, conversationId, toStageId) {
    const [row] = await db
        .select({ fromStageId: stageTransitions.fromStageId })
        .from(stageTransitions)
        .where(and(eq(stageTransitions.conversationId, conversationId), eq(stageTransitions.businessId, businessId), eq(stageTransitions.toStageId, toStageId)))
        .orderBy(desc(stageTransitions.createdAt))
        .limit(1);
    return row?.fromStageId ?? null;
}
//# sourceMappingURL=variables.repository.js.map