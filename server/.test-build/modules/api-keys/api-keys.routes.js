import { Type } from '@sinclair/typebox';
import { errorResponses, PageQuery, toPage, Uuid } from '../../lib/schemas.js';
import { principalOf, scopeBusinessId } from '../../plugins/auth.js';
import { ApiKeyList, ApiKeyParams, CreateApiKeyBody, CreatedApiKey } from './api-keys.schemas.js';
import { createApiKey, listBusinessApiKeys, revokeApiKey } from './api-keys.service.js';
const tags = ['api-keys'];
const manage = { access: { permission: 'manage', business: 'param' } };
const BusinessParams = Type.Object({ business_id: Uuid });
export const apiKeyRoutes = (ctx) => async (root) => {
    const app = root.withTypeProvider();
    app.get('/api/businesses/:business_id/api-keys', {
        config: manage,
        schema: {
            tags,
            summary: 'The business’s API keys (prefix, scopes, creator, last use, expiry; never the key)',
            params: BusinessParams,
            querystring: Type.Object(PageQuery),
            response: { 200: ApiKeyList, ...errorResponses(400, 401, 403) },
        },
    }, async (request) => listBusinessApiKeys(ctx, scopeBusinessId(principalOf(request), request.params.business_id), toPage(request.query)));
    app.post('/api/businesses/:business_id/api-keys', {
        config: manage,
        schema: {
            tags,
            summary: 'Create a named key with scopes and an optional expiry (the key is shown this once)',
            params: BusinessParams,
            body: CreateApiKeyBody,
            response: { 201: CreatedApiKey, ...errorResponses(400, 401, 403) },
        },
    }, async (request, reply) => {
        const principal = principalOf(request);
        const businessId = scopeBusinessId(principal, request.params.business_id);
        return reply.status(201).send(await createApiKey(ctx, principal, businessId, request.body));
    });
    app.delete('/api/businesses/:business_id/api-keys/:key_id', {
        config: manage,
        schema: {
            tags,
            summary: 'Delete a key: it stops working at once, with the sessions signed in with it',
            params: ApiKeyParams,
            response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
        },
    }, async (request, reply) => {
        const principal = principalOf(request);
        const businessId = scopeBusinessId(principal, request.params.business_id);
        await revokeApiKey(ctx, principal, businessId, request.params.key_id);
        return reply.status(204).send(null);
    });
};
//# sourceMappingURL=api-keys.routes.js.map