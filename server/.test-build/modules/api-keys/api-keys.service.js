import { invalid, notFound } from '../../errors.js';
import { generateSecret, hashSecret } from '../../lib/keys.js';
import { actorOf } from '../../lib/principal.js';
import { recordAudit } from '../audit/index.js';
import { deleteApiKey, findPrimaryKey, insertApiKey, listApiKeys, updateApiKeySecret, } from './api-keys.repository.js';
const PREFIX_LENGTH = 12;
function newKey() {
    const apiKey = generateSecret('icmp');
    return { apiKey, keyHash: hashSecret(apiKey), prefix: apiKey.slice(0, PREFIX_LENGTH) };
}
export function serializeApiKey(row) {
    return {
        key_id: row.keyId,
        business_id: row.businessId,
        name: row.name,
        prefix: row.prefix,
        scopes: [...row.scopes],
        is_primary: row.isPrimary,
        created_by: row.createdBy ?? null,
        created_at: row.createdAt.toISOString(),
        last_used_at: row.lastUsedAt?.toISOString() ?? null,
        expires_at: row.expiresAt?.toISOString() ?? null,
    };
}
function serializeCreated(row, apiKey) {
    return {
        key_id: row.keyId,
        business_id: row.businessId,
        name: row.name,
        api_key: apiKey,
        prefix: row.prefix,
        scopes: [...row.scopes],
        expires_at: row.expiresAt?.toISOString() ?? null,
        created_at: row.createdAt.toISOString(),
    };
}
/** The key made with a business (`scopes: ["admin"]`); returns the key itself, shown once. */
export async function createPrimaryKey(db, principal, businessId) {
    return (await insertPrimaryKey(db, principal, businessId)).apiKey;
}
async function insertPrimaryKey(db, principal, businessId) {
    const { apiKey, keyHash, prefix } = newKey();
    const row = await insertApiKey(db, {
        businessId,
        name: 'Default key',
        prefix,
        keyHash,
        scopes: ['admin'],
        isPrimary: true,
        createdBy: actorOf(principal),
    });
    return { apiKey, keyId: row.keyId, name: row.name };
}
/**
 * rotate-key: a new secret for the business's first key (made again if it was deleted). The caller
 * publishes 'business-key' once its transaction commits, so no process keeps the old key cached.
 */
export async function rotatePrimaryKey(db, principal, businessId) {
    const primary = await findPrimaryKey(db, businessId);
    if (!primary)
        return insertPrimaryKey(db, principal, businessId);
    const fresh = newKey();
    await updateApiKeySecret(db, primary.keyId, { keyHash: fresh.keyHash, prefix: fresh.prefix });
    return { apiKey: fresh.apiKey, keyId: primary.keyId, name: primary.name };
}
export async function createApiKey(ctx, principal, businessId, input) {
    const name = input.name.trim();
    if (!name)
        throw invalid('name must not be blank', { name: 'must not be blank' });
    const expiresAt = input.expires_at ? new Date(input.expires_at) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) {
        throw invalid('expires_at must be in the future', { expires_at: 'must be in the future' });
    }
    const { apiKey, keyHash, prefix } = newKey();
    const row = await insertApiKey(ctx.db, {
        businessId,
        name,
        prefix,
        keyHash,
        scopes: [...new Set(input.scopes)],
        expiresAt,
        createdBy: actorOf(principal),
    });
    await recordAudit(ctx.db, actorOf(principal), {
        businessId,
        action: 'create',
        entityType: 'api_key',
        entityId: row.keyId,
        before: null,
        after: serializeApiKey(row),
    });
    return serializeCreated(row, apiKey);
}
export async function listBusinessApiKeys(ctx, businessId, page) {
    const { rows, total } = await listApiKeys(ctx.db, businessId, page);
    return { api_keys: rows.map(serializeApiKey), total, page: page.page, per_page: page.perPage };
}
export async function revokeApiKey(ctx, principal, businessId, keyId) {
    const row = await deleteApiKey(ctx.db, businessId, keyId);
    if (!row)
        throw notFound('API key');
    ctx.bus.publish('business-key', businessId);
    await recordAudit(ctx.db, actorOf(principal), {
        businessId,
        action: 'delete',
        entityType: 'api_key',
        entityId: keyId,
        before: serializeApiKey(row),
        after: null,
    });
}
//# sourceMappingURL=api-keys.service.js.map