import { Type } from '@sinclair/typebox';
import { BusinessIdQuery, errorResponses, ListResponse, PageQuery, toPage, Uuid } from '../../lib/schemas.js';
import { businessFilter, byResource, principalOf, scopeBusinessId } from '../../plugins/auth.js';
import { findAgent } from './agents.repository.js';
import { Agent, CreateAgentBody, UpdateAgentBody } from './agents.schemas.js';
import { changeAgent, createAgent, getAgent, listBusinessAgents, removeAgent } from './agents.service.js';
const tags = ['agents'];
const Params = Type.Object({ agent_id: Uuid });
export const agentRoutes = (ctx) => async (root) => {
    const app = root.withTypeProvider();
    const agentOwner = byResource('agent_id', async (id) => (await findAgent(ctx.db, id, undefined))?.businessId);
    app.post('/api/agents', {
        config: { access: { permission: 'edit', business: 'body' } },
        schema: {
            tags,
            summary: 'Create an agent (a named group of stages)',
            body: CreateAgentBody,
            response: { 201: Agent, ...errorResponses(400, 401, 403, 409) },
        },
    }, async (request, reply) => {
        const businessId = scopeBusinessId(principalOf(request), request.body.business_id);
        return reply.status(201).send(await createAgent(ctx, principalOf(request), businessId, request.body));
    });
    app.get('/api/agents', {
        config: { access: { permission: 'read', business: 'query' } },
        schema: {
            tags,
            querystring: Type.Composite([BusinessIdQuery, Type.Object(PageQuery)]),
            response: { 200: ListResponse('agents', Agent), ...errorResponses(400, 401, 403) },
        },
    }, async (request) => listBusinessAgents(ctx, scopeBusinessId(principalOf(request), request.query.business_id), toPage(request.query)));
    app.get('/api/agents/:agent_id', {
        config: { access: { permission: 'read', business: agentOwner } },
        schema: { tags, params: Params, response: { 200: Agent, ...errorResponses(400, 401, 404) } },
    }, async (request) => getAgent(ctx, request.params.agent_id, businessFilter(principalOf(request))));
    app.put('/api/agents/:agent_id', {
        config: { access: { permission: 'edit', business: agentOwner } },
        schema: {
            tags,
            params: Params,
            body: UpdateAgentBody,
            response: { 200: Agent, ...errorResponses(400, 401, 404, 409) },
        },
    }, async (request) => {
        const principal = principalOf(request);
        return changeAgent(ctx, principal, request.params.agent_id, businessFilter(principal), request.body);
    });
    app.delete('/api/agents/:agent_id', {
        config: { access: { permission: 'edit', business: agentOwner } },
        schema: { tags, params: Params, response: { 204: Type.Null(), ...errorResponses(400, 401, 404) } },
    }, async (request, reply) => {
        const principal = principalOf(request);
        await removeAgent(ctx, principal, request.params.agent_id, businessFilter(principal));
        return reply.status(204).send(null);
    });
};
//# sourceMappingURL=agents.routes.js.map