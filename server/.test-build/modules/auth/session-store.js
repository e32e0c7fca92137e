import { generateSecret, hashesEqual, hashSecret } from '../../lib/keys.js';
import { listAccountMemberships } from './members.repository.js';
import { deleteExpiredSessions, findSessionByTokenHash, insertSession, touchSession, } from './sessions.repository.js';
/** Starts a session; returns the token for the cookie (only its hash is stored). */
export async function createSession(db, input) {
    // Sign-ins are rare next to requests: a good moment to drop sessions past their absolute expiry.
    await deleteExpiredSessions(db);
    const token = generateSecret('icmps');
    const row = await insertSession(db, {
        tokenHash: hashSecret(token),
        kind: input.kind,
        accountId: input.accountId ?? null,
        apiKeyId: input.apiKeyId ?? null,
        credentialHash: input.credentialHash ?? null,
        userAgent: input.userAgent.slice(0, 300),
        ipAddress: input.ipAddress.slice(0, 100),
        expiresAt: new Date(Date.now() + input.maxHours * 3_600_000),
    });
    return { token, sessionId: row.sessionId };
}
export async function accountPrincipal(db, account, sessionId) {
    const memberships = (await listAccountMemberships(db, account.id)).map((m) => ({
        businessId: m.businessId,
        businessName: m.businessName,
        role: m.role,
    }));
    return account.isAdmin
        ? { role: 'admin', account, memberships, sessionId }
        : { role: 'member', account, memberships, sessionId };
}
/**
 * Who a session token signs in, or null when it names no live session: unknown, past its absolute or
 * idle expiry, or made from a key that has since been rotated, deleted or has expired.
 */
export async function resolveSession(db, token, check) {
    const found = await findSessionByTokenHash(db, hashSecret(token));
    if (!found)
        return null;
    const { session, account, key } = found;
    const now = Date.now();
    if (session.expiresAt.getTime() <= now)
        return null;
    if (session.lastSeenAt.getTime() + check.idleMinutes * 60_000 <= now)
        return null;
    let principal = null;
    if (session.kind === 'account' && account) {
        principal = await accountPrincipal(db, { id: account.accountId, email: account.email, name: account.name, isAdmin: account.isAdmin }, session.sessionId);
    }
    else if (session.kind === 'api_key' && key?.keyId && key.businessId && key.businessName) {
        const sameKey = session.credentialHash !== null && hashesEqual(session.credentialHash, key.keyHash ?? '');
        const live = !key.expiresAt || key.expiresAt.getTime() > now;
        if (sameKey && live) {
            principal = {
                role: 'business',
                businessId: key.businessId,
                businessName: key.businessName,
                keyId: key.keyId,
                keyName: key.name ?? '',
                scopes: key.scopes ?? [],
                sessionId: session.sessionId,
            };
        }
    }
    else if (session.kind === 'master' && session.credentialHash) {
        if (hashesEqual(session.credentialHash, check.masterKeyHash)) {
            principal = { role: 'admin', account: null, memberships: [], sessionId: session.sessionId };
        }
    }
    if (principal && check.touch !== false && now - session.lastSeenAt.getTime() > 60_000) {
        await touchSession(db, session.sessionId);
    }
    return principal;
}
//# sourceMappingURL=session-store.js.map