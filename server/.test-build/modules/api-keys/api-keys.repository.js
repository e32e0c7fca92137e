import { and, asc, count, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { apiKeys, businesses } from '../../db/schema.js';
export async function insertApiKey(db, row) {
    const [key] = await db.insert(apiKeys).values(row).returning();
    if (!key)
        throw new Error('api key insert returned nothing');
    return key;
}
export async function listApiKeys(db, businessId, page) {
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
export async function deleteApiKey(db, businessId, keyId) {
    const [row] = await db
        .delete(apiKeys)
        .where(and(eq(apiKeys.businessId, businessId), eq(apiKeys.keyId, keyId)))
        .returning();
    return row;
}
/** The key with this SHA-256 and its business's name (authentication; unscoped by nature). */
export async function findApiKeyByHash(db, hash) {
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
/** Records a use; at most one write a minute per key, whichever process sees it. */
export async function touchApiKey(db, keyId) {
    await db
        .update(apiKeys)
        .set({ lastUsedAt: sql `now()` })
        .where(and(eq(apiKeys.keyId, keyId), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, sql `now() - interval '1 minute'`))));
}
export async function findPrimaryKey(db, businessId) {
    const [row] = await db
        .select()
        .from(apiKeys)
        .where(and(eq(apiKeys.businessId, businessId), eq(apiKeys.isPrimary, true)))
        .limit(1);
    return row;
}
export async function updateApiKeySecret(db, keyId, values) {
    const [row] = await db
        .update(apiKeys)
        .set({ ...values, lastUsedAt: null })
        .where(eq(apiKeys.keyId, keyId))
        .returning();
    return row;
}
//# sourceMappingURL=api-keys.repository.js.map