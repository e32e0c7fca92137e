import { errorResponses } from '../../lib/schemas.js';
import { businessFilter, byResource, principalOf } from '../../plugins/auth.js';
import { findConversation } from './conversations.repository.js';
import { ConversationParams } from './conversations.schemas.js';
import { CreateNoteBody, Note, NoteList } from './notes.schemas.js';
import { addConversationNote, listConversationNotes } from './notes.service.js';
const tags = ['conversations'];
const Notes = '/api/conversations/:conversation_id/notes';
export const conversationNoteRoutes = (ctx) => async (root) => {
    const app = root.withTypeProvider();
    const conversationOwner = byResource('conversation_id', async (id) => (await findConversation(ctx.db, id, undefined))?.businessId);
    app.get(Notes, {
        config: { access: { permission: 'converse', business: conversationOwner } },
        schema: {
            tags,
            summary: 'The team’s internal notes on a conversation, oldest first',
            params: ConversationParams,
            response: { 200: NoteList, ...errorResponses(400, 401, 404) },
        },
    }, async (request) => listConversationNotes(ctx, request.params.conversation_id, businessFilter(principalOf(request))));
    app.post(Notes, {
        config: { access: { permission: 'converse', business: conversationOwner } },
        schema: {
            tags,
            summary: 'Add an internal note (never sent to the customer, never in a prompt)',
            params: ConversationParams,
            body: CreateNoteBody,
            response: { 201: Note, ...errorResponses(400, 401, 403, 404) },
        },
    }, async (request, reply) => {
        const principal = principalOf(request);
        const note = await addConversationNote(ctx, principal, request.params.conversation_id, businessFilter(principal), request.body.content);
        return reply.status(201).send(note);
    });
};
//# sourceMappingURL=notes.routes.js.map