import { invalid, notFound } from '../../errors.js';
import { actorOf } from '../../lib/principal.js';
import { publishConversationEvent } from './conversation-events.js';
import { findConversation } from './conversations.repository.js';
import { holdConversation, insertNote, listNotes } from './notes.repository.js';
export function serializeNote(row) {
    return {
        note_id: row.noteId,
        conversation_id: row.conversationId,
        content: row.content,
        author_id: row.authorAccountId,
        author_name: row.authorName,
        created_at: row.createdAt.toISOString(),
    };
}
export async function listConversationNotes(ctx, conversationId, scope) {
    if (!(await findConversation(ctx.db, conversationId, scope)))
        throw notFound('Conversation');
    return { notes: (await listNotes(ctx.db, conversationId)).map(serializeNote) };
}
/**
 * Stores a note by the caller (an account, or a key by its name) and tells the live views. Notes live
 * in their own table: nothing that builds a prompt or sends to a channel reads it.
 */
export async function addConversationNote(ctx, principal, conversationId, scope, rawContent) {
    const content = rawContent.trim();
    if (!content)
        throw invalid('content must not be blank', { content: 'must not be blank' });
    const actor = actorOf(principal);
    const note = await ctx.db.transaction(async (tx) => {
        const businessId = await holdConversation(tx, conversationId, scope);
        if (!businessId)
            throw notFound('Conversation');
        return insertNote(tx, {
            businessId,
            conversationId,
            authorAccountId: actor.type === 'account' ? actor.id : null,
            authorName: actor.name,
            content,
        });
    });
    publishConversationEvent(ctx, {
        type: 'note',
        business_id: note.businessId,
        conversation_id: conversationId,
        note_id: note.noteId,
    });
    return serializeNote(note);
}
//# sourceMappingURL=notes.service.js.map