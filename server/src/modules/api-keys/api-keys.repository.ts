import { and, asc, count, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { apiKeys, businesses } from '../../db/schema.js';
import type { Page } from '../../lib/schemas.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;

export async function insertApiKey(db: DbOrTx, row: typeof apiKeys.$inferInsert): Promise<ApiKeyRow> {
  const [key] = await db.insert(apiKeys).values(row).returning();
  if (!key) throw new Error('api key insert returned nothing');
  return key;
}

export async function listApiKeys(db: DbOrTx, businessId: string, page: Page) {
  const where = eq(apiKeys.businessId, businessId);
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(apiKeys)
      .where(where)
      .orderBy(asc(apiKeys.createdAt), asc(apiKeys.keyId))
      .limit(page.perPage)
      .offset(page.offset),
    db.select({ value: count() }).from(apiKeys).where(where),
  ]);
  return { rows, total: total?.value ?? 0 };
}

export async function deleteApiKey(db: DbOrTx, businessId: string, keyId: string) {
  const [row] = await db
    .delete(apiKeys)
    .where(and(eq(apiKeys.businessId, businessId), eq(apiKeys.keyId, keyId)))
    .returning();
  return row;
}

/** The key with this SHA-256 and its business's name (authentication; unscoped by nature). */
export async function findApiKeyByHash(db: DbOrTx, hash: string) {
  const [row] = await db
    .select({
      keyId: apiKeys.keyId,
      businessId: apiKeys.businessId,
      businessName: businesses.businessName,
      name: apiKeys.name,
      keyHash: apiKeys.keyHash,
      scopes: apiKeys.scopes,
      expiresAt: apiKeys.expiresAt,
    })
    .from(apiKeys)
    .innerJoin(businesses, eq(businesses.businessId, apiKeys.businessId))
    .where(eq(apiKeys.keyHash, hash))
    .limit(1);
  return row;
}

export type ApiKeyLookup = NonNullable<Awaited<ReturnType<typeof findApiKeyByHash>>>;

/** Records a use; at most one write a minute per key, whichever process sees it. */
export async function touchApiKey(db: DbOrTx, keyId: string) {
  await db
    .update(apiKeys)
    .set({ lastUsedAt: sql`now()` })
    .where(
      and(
        eq(apiKeys.keyId, keyId),
        or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, sql`now() - interval '1 minute'`)),
      ),
    );
}

export async function findPrimaryKey(db: DbOrTx, businessId: string) {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.businessId, businessId), eq(apiKeys.isPrimary, true)))
    .limit(1);
  return row;
}

export async function updateApiKeySecret(
  db: DbOrTx,
  keyId: string,
  values: { keyHash: string; prefix: string },
) {
  const [row] = await db
    .update(apiKeys)
    .set({ ...values, lastUsedAt: null })
    .where(eq(apiKeys.keyId, keyId))
    .returning();
  return row;
}
