import { Type } from '@sinclair/typebox';
import { BusinessIdQuery, errorResponses, ListResponse, PageQuery, toPage, Uuid } from '../../lib/schemas.js';
import { businessFilter, byResource, principalOf, scopeBusinessId } from '../../plugins/auth.js';
import { findUser } from './users.repository.js';
import { CreateUserBody, UpdateUserBody, User } from './users.schemas.js';
import { changeUser, createUser, getUser, listBusinessUsers, removeUser } from './users.service.js';
const tags = ['users'];
const Params = Type.Object({ user_id: Uuid });
export const userRoutes = (ctx) => async (root) => {
    const app = root.withTypeProvider();
    const userOwner = byResource('user_id', async (id) => (await findUser(ctx.db, id, undefined))?.businessId);
    app.post('/api/users', {
        config: { access: { permission: 'edit', business: 'body' } },
        schema: {
            tags,
            summary: 'Create a customer of a business',
            body: CreateUserBody,
            response: { 201: User, ...errorResponses(400, 401, 403) },
        },
    }, async (request, reply) => {
        const businessId = scopeBusinessId(principalOf(request), request.body.business_id);
        return reply.status(201).send(await createUser(ctx, businessId, request.body));
    });
    app.get('/api/users', {
        config: { access: { permission: 'read', business: 'query' } },
        schema: {
            tags,
            summary: 'List a business’s customers',
            querystring: Type.Composite([BusinessIdQuery, Type.Object(PageQuery)]),
            response: { 200: ListResponse('users', User), ...errorResponses(400, 401, 403) },
        },
    }, async (request) => listBusinessUsers(ctx, scopeBusinessId(principalOf(request), request.query.business_id), toPage(request.query)));
    app.get('/api/users/:user_id', {
        config: { access: { permission: 'read', business: userOwner } },
        schema: { tags, params: Params, response: { 200: User, ...errorResponses(400, 401, 404) } },
    }, async (request) => getUser(ctx, request.params.user_id, businessFilter(principalOf(request))));
    app.put('/api/users/:user_id', {
        config: { access: { permission: 'edit', business: userOwner } },
        schema: {
            tags,
            params: Params,
            body: UpdateUserBody,
            response: { 200: User, ...errorResponses(400, 401, 404) },
        },
    }, async (request) => changeUser(ctx, request.params.user_id, businessFilter(principalOf(request)), request.body));
    app.delete('/api/users/:user_id', {
        config: { access: { permission: 'edit', business: userOwner } },
        schema: {
            tags,
            summary: 'Delete a customer with their conversations and messages',
            params: Params,
            response: { 204: Type.Null(), ...errorResponses(400, 401, 404) },
        },
    }, async (request, reply) => {
        await removeUser(ctx, request.params.user_id, businessFilter(principalOf(request)));
        return reply.status(204).send(null);
    });
};
//# sourceMappingURL=users.routes.js.map