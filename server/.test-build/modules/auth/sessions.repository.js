import { and, asc, eq, lt, ne, sql } from 'drizzle-orm';
import { accounts, apiKeys, businesses, sessions } from '../../db/schema.js';
export async function insertSession(db, row) {
    const [session] = await db.insert(sessions).values(row).returning();
    if (!session)
        throw new Error('session insert returned nothing');
    return session;
}
/** A session by the hash of its token, with what it signs in: an account, an API key or the master key. */
export async function findSessionByTokenHash(db, tokenHash) {
    const [row] = await db
        .select({
        session: sessions,
        account: {
            accountId: accounts.accountId,
            email: accounts.email,
            name: accounts.name,
            isAdmin: accounts.isAdmin,
        },
        key: {
            keyId: apiKeys.keyId,
            businessId: apiKeys.businessId,
            businessName: businesses.businessName,
            name: apiKeys.name,
            keyHash: apiKeys.keyHash,
            scopes: apiKeys.scopes,
            expiresAt: apiKeys.expiresAt,
        },
    })
        .from(sessions)
        .leftJoin(accounts, eq(accounts.accountId, sessions.accountId))
        .leftJoin(apiKeys, eq(apiKeys.keyId, sessions.apiKeyId))
        .leftJoin(businesses, eq(businesses.businessId, apiKeys.businessId))
        .where(eq(sessions.tokenHash, tokenHash))
        .limit(1);
    return row;
}
/** Records activity; at most one write a minute per session. */
export async function touchSession(db, sessionId) {
    await db
        .update(sessions)
        .set({ lastSeenAt: sql `now()` })
        .where(and(eq(sessions.sessionId, sessionId), lt(sessions.lastSeenAt, sql `now() - interval '1 minute'`)));
}
export async function deleteSession(db, sessionId) {
    await db.delete(sessions).where(eq(sessions.sessionId, sessionId));
}
export async function listAccountSessions(db, accountId) {
    return db
        .select()
        .from(sessions)
        .where(and(eq(sessions.accountId, accountId), sql `${sessions.expiresAt} > now()`))
        .orderBy(asc(sessions.createdAt));
}
export async function deleteAccountSession(db, accountId, sessionId) {
    const deleted = await db
        .delete(sessions)
        .where(and(eq(sessions.accountId, accountId), eq(sessions.sessionId, sessionId)))
        .returning({ id: sessions.sessionId });
    return deleted.length > 0;
}
/** Every session of the account except `keep` (none kept when it is null). */
export async function deleteAccountSessions(db, accountId, keep) {
    await db
        .delete(sessions)
        .where(keep
        ? and(eq(sessions.accountId, accountId), ne(sessions.sessionId, keep))
        : eq(sessions.accountId, accountId));
}
/** Drops sessions past their absolute expiry (called now and then). */
export async function deleteExpiredSessions(db) {
    await db.delete(sessions).where(lt(sessions.expiresAt, sql `now()`));
}
//# sourceMappingURL=sessions.repository.js.map