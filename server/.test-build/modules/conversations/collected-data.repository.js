import { and, eq } from 'drizzle-orm';
import { conversations } from '../../db/schema.js';
const scoped = (conversationId, businessId) => businessId
    ? and(eq(conversations.conversationId, conversationId), eq(conversations.businessId, businessId))
    : eq(conversations.conversationId, conversationId);
/** The conversation's collected data, its row locked (in the caller's transaction) until the edit is written. */
export async function lockCollectedData(db, conversationId, businessId) {
    const [row] = await db
        .select({ businessId: conversations.businessId, collectedData: conversations.collectedData })
        .from(conversations)
        .where(scoped(conversationId, businessId))
        .limit(1)
        .for('update');
    return row;
}
export async function writeCollectedData(db, conversationId, data) {
    await db
        .update(conversations)
        .set({ collectedData: data })
        .where(eq(conversations.conversationId, conversationId));
}
//# sourceMappingURL=collected-data.repository.js.map