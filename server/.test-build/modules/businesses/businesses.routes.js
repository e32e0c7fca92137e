import { Type } from '@sinclair/typebox';
import { EmptyBody, errorResponses, ListResponse, PageQuery, toPage, Uuid } from '../../lib/schemas.js';
import { principalOf, scopeBusinessId } from '../../plugins/auth.js';
import { Business, BusinessApiKey, BusinessWithKey, CreateBusinessBody, UpdateBusinessBody, } from './businesses.schemas.js';
import { changeBusiness, createBusiness, getBusiness, listAllBusinesses, removeBusiness, rotateBusinessKey, } from './businesses.service.js';
const tags = ['businesses'];
const Params = Type.Object({ business_id: Uuid });
export const businessRoutes = (ctx) => async (root) => {
    const app = root.withTypeProvider();
    app.post('/api/businesses', {
        config: { access: 'master' },
        schema: {
            tags,
            summary: 'Create a business (returns its API key once)',
            body: CreateBusinessBody,
            response: { 201: BusinessWithKey, ...errorResponses(400, 401, 403, 409) },
        },
    }, async (request, reply) => reply.status(201).send(await createBusiness(ctx, principalOf(request), request.body)));
    app.get('/api/businesses', {
        config: { access: 'master' },
        schema: {
            tags,
            summary: 'List businesses',
            querystring: Type.Object(PageQuery),
            response: { 200: ListResponse('businesses', Business), ...errorResponses(400, 401, 403) },
        },
    }, async (request) => listAllBusinesses(ctx, toPage(request.query)));
    app.get('/api/businesses/:business_id', {
        config: { access: { permission: 'read', business: 'param' } },
        schema: {
            tags,
            summary: 'Get a business',
            params: Params,
            response: { 200: Business, ...errorResponses(400, 401, 403, 404) },
        },
    }, async (request) => getBusiness(ctx, scopeBusinessId(principalOf(request), request.params.business_id)));
    for (const method of ['PUT', 'PATCH']) {
        app.route({
            method,
            url: '/api/businesses/:business_id',
            config: { access: { permission: 'edit', business: 'param' } },
            schema: {
                tags,
                summary: 'Update a business (partial)',
                params: Params,
                body: UpdateBusinessBody,
                response: { 200: Business, ...errorResponses(400, 401, 403, 404, 409) },
            },
            handler: async (request) => {
                const principal = principalOf(request);
                const businessId = scopeBusinessId(principal, request.params.business_id);
                return changeBusiness(ctx, principal, businessId, request.body);
            },
        });
    }
    app.delete('/api/businesses/:business_id', {
        config: { access: { permission: 'manage', business: 'param' } },
        schema: {
            tags,
            summary: 'Delete a business and all its data',
            params: Params,
            response: { 204: Type.Null(), ...errorResponses(400, 401, 404) },
        },
    }, async (request, reply) => {
        await removeBusiness(ctx, principalOf(request), request.params.business_id);
        return reply.status(204).send(null);
    });
    app.post('/api/businesses/:business_id/rotate-key', {
        config: { access: { permission: 'manage', business: 'param' } },
        schema: {
            tags,
            summary: 'Issue a new API key; the old one stops working at once',
            params: Params,
            body: EmptyBody,
            response: { 200: BusinessApiKey, ...errorResponses(400, 401, 403, 404) },
        },
    }, async (request) => {
        const principal = principalOf(request);
        return rotateBusinessKey(ctx, principal, scopeBusinessId(principal, request.params.business_id));
    });
};
//# sourceMappingURL=businesses.routes.js.map