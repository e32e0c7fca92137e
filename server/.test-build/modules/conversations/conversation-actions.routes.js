import { Type } from '@sinclair/typebox';
import { errorResponses } from '../../lib/schemas.js';
import { businessFilter, byResource, principalOf } from '../../plugins/auth.js';
import { giveBackConversation, markRead, takeOverConversation } from './conversation-actions.service.js';
import { findConversation } from './conversations.repository.js';
import { Conversation, ConversationParams } from './conversations.schemas.js';
const tags = ['conversations'];
const ById = '/api/conversations/:conversation_id';
/** The live inbox's hand-over and read actions on one conversation. */
export const conversationActionRoutes = (ctx) => async (root) => {
    const app = root.withTypeProvider();
    const conversationOwner = byResource('conversation_id', async (id) => (await findConversation(ctx.db, id, undefined))?.businessId);
    app.post(`${ById}/take-over`, {
        config: { access: { permission: 'converse', business: conversationOwner } },
        schema: {
            tags,
            summary: 'Assign the conversation to yourself and stop the AI (until given back)',
            description: 'Needs a signed-in account: an API key or the master key gets 403.',
            params: ConversationParams,
            response: { 200: Conversation, ...errorResponses(400, 401, 403, 404) },
        },
    }, async (request) => {
        const principal = principalOf(request);
        return takeOverConversation(ctx, principal, request.params.conversation_id, businessFilter(principal));
    });
    app.post(`${ById}/give-back`, {
        config: { access: { permission: 'converse', business: conversationOwner } },
        schema: {
            tags,
            summary: 'Resume the AI, unassign the conversation and clear its waiting state',
            params: ConversationParams,
            response: { 200: Conversation, ...errorResponses(400, 401, 403, 404) },
        },
    }, async (request) => {
        const principal = principalOf(request);
        return giveBackConversation(ctx, principal, request.params.conversation_id, businessFilter(principal));
    });
    app.post(`${ById}/read`, {
        config: { access: { permission: 'read', business: conversationOwner } },
        schema: {
            tags,
            summary: 'Mark the conversation read up to its latest message (for the calling account)',
            description: 'A no-op for API keys, which have no read marks.',
            params: ConversationParams,
            response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
        },
    }, async (request, reply) => {
        const principal = principalOf(request);
        await markRead(ctx, principal, request.params.conversation_id, businessFilter(principal));
        return reply.status(204).send(null);
    });
};
//# sourceMappingURL=conversation-actions.routes.js.map