import { and, asc, eq } from 'drizzle-orm';
import { conversationNotes, conversations } from '../../db/schema.js';
const scoped = (conversationId, businessId) => businessId
    ? and(eq(conversations.conversationId, conversationId), eq(conversations.businessId, businessId))
    : eq(conversations.conversationId, conversationId);
/**
 * The conversation's business, its row held (FOR KEY SHARE, in the caller's transaction) so it cannot
 * be deleted before the note referring to it is inserted; undefined when there is no such conversation.
 */
export async function holdConversation(db, conversationId, businessId) {
    const [row] = await db
        .select({ businessId: conversations.businessId })
        .from(conversations)
        .where(scoped(conversationId, businessId))
        .limit(1)
        .for('key share');
    return row?.businessId;
}
export async function insertNote(db, row) {
    const [note] = await db.insert(conversationNotes).values(row).returning();
    if (!note)
        throw new Error('note insert returned nothing');
    return note;
}
/** Oldest first. The caller has checked that the conversation belongs to the business. */
export async function listNotes(db, conversationId) {
    return db
        .select()
        .from(conversationNotes)
        .where(eq(conversationNotes.conversationId, conversationId))
        .orderBy(asc(conversationNotes.createdAt), asc(conversationNotes.noteId));
}
//# sourceMappingURL=notes.repository.js.map