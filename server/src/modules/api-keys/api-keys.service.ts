import type { Static } from '@sinclair/typebox';
import type { AppContext } from '../../context.js';
import type { DbOrTx } from '../../db/client.js';
import { invalid, notFound } from '../../errors.js';
import { generateSecret, hashSecret } from '../../lib/keys.js';
import { actorOf, type Principal } from '../../lib/principal.js';
import type { Page } from '../../lib/schemas.js';
import { recordAudit } from '../audit/record-audit.js';
import {
  type ApiKeyRow,
  deleteApiKey,
  findPrimaryKey,
  insertApiKey,
  listApiKeys,
  updateApiKeySecret,
} from './api-keys.repository.js';
import type { ApiKey, CreateApiKeyBody, CreatedApiKey } from './api-keys.schemas.js';

const PREFIX_LENGTH = 12;

function newKey() {
  const apiKey = generateSecret('icmp');
  return { apiKey, keyHash: hashSecret(apiKey), prefix: apiKey.slice(0, PREFIX_LENGTH) };
}

export function serializeApiKey(row: ApiKeyRow): ApiKey {
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

function serializeCreated(row: ApiKeyRow, apiKey: string): CreatedApiKey {
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
export async function createPrimaryKey(db: DbOrTx, principal: Principal, businessId: string) {
  const { apiKey, keyHash, prefix } = newKey();
  await insertApiKey(db, {
    businessId,
    name: 'Default key',
    prefix,
    keyHash,
    scopes: ['admin'],
    isPrimary: true,
    createdBy: actorOf(principal),
  });
  return apiKey;
}

/** rotate-key: a new secret for the business's first key (made again if it was deleted). */
export async function rotatePrimaryKey(ctx: AppContext, principal: Principal, businessId: string) {
  const primary = await findPrimaryKey(ctx.db, businessId);
  let apiKey: string;
  if (primary) {
    const fresh = newKey();
    apiKey = fresh.apiKey;
    await updateApiKeySecret(ctx.db, primary.keyId, { keyHash: fresh.keyHash, prefix: fresh.prefix });
  } else {
    apiKey = await createPrimaryKey(ctx.db, principal, businessId);
  }
  ctx.bus.publish('business-key', businessId);
  return apiKey;
}

export async function createApiKey(
  ctx: AppContext,
  principal: Principal,
  businessId: string,
  input: Static<typeof CreateApiKeyBody>,
) {
  const name = input.name.trim();
  if (!name) throw invalid('name must not be blank', { name: 'must not be blank' });
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
  await recordAudit(ctx.db, principal, businessId, 'create', 'api_key', row.keyId, {
    name,
    scopes: row.scopes,
    expires_at: row.expiresAt?.toISOString() ?? null,
  });
  return serializeCreated(row, apiKey);
}

export async function listBusinessApiKeys(ctx: AppContext, businessId: string, page: Page) {
  const { rows, total } = await listApiKeys(ctx.db, businessId, page);
  return { api_keys: rows.map(serializeApiKey), total, page: page.page, per_page: page.perPage };
}

export async function revokeApiKey(ctx: AppContext, principal: Principal, businessId: string, keyId: string) {
  const row = await deleteApiKey(ctx.db, businessId, keyId);
  if (!row) throw notFound('API key');
  ctx.bus.publish('business-key', businessId);
  await recordAudit(ctx.db, principal, businessId, 'delete', 'api_key', keyId, { name: row.name });
}
