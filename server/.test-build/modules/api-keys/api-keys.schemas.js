import { Type } from '@sinclair/typebox';
import { ListResponse, Nullable, Timestamp, Uuid } from '../../lib/schemas.js';
export const ApiKeyScopeSchema = Type.Union([Type.Literal('messages'), Type.Literal('read'), Type.Literal('write'), Type.Literal('admin')], {
    description: 'messages: post messages; read: read all; write: what an editor may; admin: what an owner may',
});
const Creator = Type.Object({
    type: Type.Union([Type.Literal('account'), Type.Literal('api_key'), Type.Literal('master')]),
    id: Nullable(Type.String()),
    name: Type.String(),
});
export const CreateApiKeyBody = Type.Object({
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: Type.Array(ApiKeyScopeSchema, { minItems: 1, maxItems: 4, uniqueItems: true }),
    expires_at: Type.Optional(Nullable(Timestamp)),
}, { $id: 'CreateApiKeyBody', additionalProperties: false });
export const ApiKey = Type.Object({
    key_id: Uuid,
    business_id: Uuid,
    name: Type.String(),
    prefix: Type.String({ description: 'The first characters of the key, to recognise it' }),
    scopes: Type.Array(ApiKeyScopeSchema),
    is_primary: Type.Boolean({ description: 'The key made with the business (rotate-key replaces it)' }),
    created_by: Nullable(Creator),
    created_at: Timestamp,
    last_used_at: Nullable(Timestamp),
    expires_at: Nullable(Timestamp),
}, { $id: 'ApiKey' });
export const CreatedApiKey = Type.Object({
    key_id: Uuid,
    business_id: Uuid,
    name: Type.String(),
    api_key: Type.String({ description: 'The key itself: shown this once, stored only as a hash' }),
    prefix: Type.String(),
    scopes: Type.Array(ApiKeyScopeSchema),
    expires_at: Nullable(Timestamp),
    created_at: Timestamp,
}, { $id: 'CreatedApiKey' });
export const ApiKeyList = ListResponse('api_keys', ApiKey);
export const ApiKeyParams = Type.Object({ business_id: Uuid, key_id: Uuid });
//# sourceMappingURL=api-keys.schemas.js.map