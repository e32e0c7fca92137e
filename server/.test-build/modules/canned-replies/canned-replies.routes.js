import { Type } from '@sinclair/typebox';
import { errorResponses } from '../../lib/schemas.js';
import { businessFilter, byResource, principalOf, scopeBusinessId } from '../../plugins/auth.js';
import { findCannedReply } from './canned-replies.repository.js';
import { CannedReply, CannedReplyList, CannedReplyParams, CreateCannedReplyBody, ListCannedRepliesQuery, UpdateCannedReplyBody, } from './canned-replies.schemas.js';
import { changeCannedReply, createCannedReply, listBusinessCannedReplies, removeCannedReply, } from './canned-replies.service.js';
const tags = ['canned-replies'];
const ById = '/api/canned-replies/:canned_reply_id';
export const cannedReplyRoutes = (ctx) => async (root) => {
    const app = root.withTypeProvider();
    const replyOwner = byResource('canned_reply_id', async (id) => (await findCannedReply(ctx.db, id, undefined))?.businessId);
    app.get('/api/canned-replies', {
        config: { access: { permission: 'read', business: 'query' } },
        schema: {
            tags,
            summary: 'The business’s canned replies by shortcut; with conversation_id, rendered for it',
            querystring: ListCannedRepliesQuery,
            response: { 200: CannedReplyList, ...errorResponses(400, 401, 403, 404) },
        },
    }, async (request) => listBusinessCannedReplies(ctx, scopeBusinessId(principalOf(request), request.query.business_id), request.query.conversation_id));
    app.post('/api/canned-replies', {
        config: { access: { permission: 'edit', business: 'body' } },
        schema: {
            tags,
            summary: 'Save a canned reply (shortcut unique within the business)',
            body: CreateCannedReplyBody,
            response: { 201: CannedReply, ...errorResponses(400, 401, 403, 409) },
        },
    }, async (request, reply) => {
        const principal = principalOf(request);
        const businessId = scopeBusinessId(principal, request.body.business_id);
        return reply.status(201).send(await createCannedReply(ctx, principal, businessId, request.body));
    });
    app.put(ById, {
        config: { access: { permission: 'edit', business: replyOwner } },
        schema: {
            tags,
            summary: 'Change a canned reply’s shortcut or content',
            params: CannedReplyParams,
            body: UpdateCannedReplyBody,
            response: { 200: CannedReply, ...errorResponses(400, 401, 403, 404, 409) },
        },
    }, async (request) => {
        const principal = principalOf(request);
        return changeCannedReply(ctx, principal, request.params.canned_reply_id, businessFilter(principal), request.body);
    });
    app.delete(ById, {
        config: { access: { permission: 'edit', business: replyOwner } },
        schema: {
            tags,
            summary: 'Delete a canned reply',
            params: CannedReplyParams,
            response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
        },
    }, async (request, reply) => {
        const principal = principalOf(request);
        await removeCannedReply(ctx, principal, request.params.canned_reply_id, businessFilter(principal));
        return reply.status(204).send(null);
    });
};
//# sourceMappingURL=canned-replies.routes.js.map