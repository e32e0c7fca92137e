import { Type } from '@sinclair/typebox';
import { BusinessIdQuery, errorResponses, ListResponse, toPage, Uuid } from '../../lib/schemas.js';
import { businessFilter, byResource, principalOf, scopeBusinessId } from '../../plugins/auth.js';
import { findStage } from './stages.repository.js';
import { CreateStageBody, ListStagesQuery, Stage, StageTransitionCounts, UpdateStageBody, } from './stages.schemas.js';
import { changeStage, createStage, getStage, listBusinessStages, listTransitions, removeStage, } from './stages.service.js';
const tags = ['stages'];
const Params = Type.Object({ stage_id: Uuid });
export const stageRoutes = (ctx) => async (root) => {
    const app = root.withTypeProvider();
    const stageOwner = byResource('stage_id', async (id) => (await findStage(ctx.db, id, undefined))?.businessId);
    app.post('/api/stages', {
        config: { access: { permission: 'edit', business: 'body' } },
        schema: {
            tags,
            summary: 'Create a stage; missing template ids get fresh copies of the business’s defaults',
            body: CreateStageBody,
            response: { 201: Stage, ...errorResponses(400, 401, 403, 409) },
        },
    }, async (request, reply) => {
        const principal = principalOf(request);
        const businessId = scopeBusinessId(principal, request.body.business_id);
        return reply.status(201).send(await createStage(ctx, principal, businessId, request.body));
    });
    app.get('/api/stages', {
        config: { access: { permission: 'read', business: 'query' } },
        schema: {
            tags,
            summary: 'List a business’s stages (optionally one agent’s)',
            querystring: ListStagesQuery,
            response: { 200: ListResponse('stages', Stage), ...errorResponses(400, 401, 403) },
        },
    }, async (request) => listBusinessStages(ctx, scopeBusinessId(principalOf(request), request.query.business_id), request.query, toPage(request.query)));
    app.get('/api/stages/transitions', {
        config: { access: { permission: 'read', business: 'query' } },
        schema: {
            tags,
            summary: 'Stage transition counts (from → to) of a business',
            querystring: BusinessIdQuery,
            response: { 200: StageTransitionCounts, ...errorResponses(400, 401, 403) },
        },
    }, async (request) => listTransitions(ctx, scopeBusinessId(principalOf(request), request.query.business_id)));
    app.get('/api/stages/:stage_id', {
        config: { access: { permission: 'read', business: stageOwner } },
        schema: { tags, params: Params, response: { 200: Stage, ...errorResponses(400, 401, 404) } },
    }, async (request) => getStage(ctx, request.params.stage_id, businessFilter(principalOf(request))));
    for (const method of ['PUT', 'PATCH']) {
        app.route({
            method,
            url: '/api/stages/:stage_id',
            config: { access: { permission: 'edit', business: stageOwner } },
            schema: {
                tags,
                summary: 'Update a stage (partial), including its template ids',
                params: Params,
                body: UpdateStageBody,
                response: { 200: Stage, ...errorResponses(400, 401, 404, 409) },
            },
            handler: async (request) => {
                const principal = principalOf(request);
                return changeStage(ctx, principal, request.params.stage_id, businessFilter(principal), request.body);
            },
        });
    }
    app.delete('/api/stages/:stage_id', {
        config: { access: { permission: 'edit', business: stageOwner } },
        schema: {
            tags,
            summary: 'Delete a stage (409 for the entry stage or the last stage)',
            params: Params,
            response: { 204: Type.Null(), ...errorResponses(400, 401, 404, 409) },
        },
    }, async (request, reply) => {
        const principal = principalOf(request);
        await removeStage(ctx, principal, request.params.stage_id, businessFilter(principal));
        return reply.status(204).send(null);
    });
};
//# sourceMappingURL=stages.routes.js.map