import { AppError, conflict, invalid, notFound } from '../../errors.js';
import { generateSecret, hashSecret } from '../../lib/keys.js';
import { hashPassword, passwordProblem, verifyDummyPassword, verifyPassword } from '../../lib/passwords.js';
import { accountKey, addressKey, assertNotBlocked } from '../../plugins/auth-failures.js';
import { consumePasswordReset, countAccounts, findAccount, findAccountByEmail, insertAccount, insertPasswordReset, updateAccountPassword, } from './accounts.repository.js';
import { accountPrincipal, createSession } from './session-store.js';
import { deleteAccountSession, deleteAccountSessions, deleteSession, findSessionByTokenHash, listAccountSessions, } from './sessions.repository.js';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RESET_TTL_MS = 60 * 60_000;
const wrongCredentials = () => new AppError('AUTHENTICATION_ERROR', 'The e-mail or password is not valid');
export const toAccountInfo = (row) => ({
    id: row.accountId,
    email: row.email,
    name: row.name,
    isAdmin: row.isAdmin,
});
export function serializeAccount(row) {
    return {
        id: row.accountId,
        email: row.email,
        name: row.name,
        is_admin: row.isAdmin,
        created_at: row.createdAt.toISOString(),
    };
}
export function describePrincipal(principal) {
    if (principal.role === 'business') {
        return {
            role: 'business',
            business_id: principal.businessId,
            business_name: principal.businessName,
            scopes: [...principal.scopes],
        };
    }
    if (!principal.account)
        return { role: 'admin' };
    return {
        role: 'member',
        user: {
            id: principal.account.id,
            email: principal.account.email,
            name: principal.account.name,
            is_admin: principal.account.isAdmin,
        },
        memberships: principal.memberships.map((m) => ({
            business_id: m.businessId,
            business_name: m.businessName,
            role: m.role,
        })),
    };
}
async function endPreviousSession(ctx, client) {
    if (!client.previousToken)
        return;
    const found = await findSessionByTokenHash(ctx.db, hashSecret(client.previousToken));
    if (found)
        await deleteSession(ctx.db, found.session.sessionId);
}
async function failed(ctx, client, email) {
    await ctx.failures.record(addressKey(client.ip));
    if (email)
        await ctx.failures.record(accountKey(email));
}
/** Sign-in with the master key or a business key: a session names the key; the cookie never holds it. */
export async function signInWithKey(ctx, client, apiKey, businessId) {
    await assertNotBlocked(ctx.failures, addressKey(client.ip));
    const principal = await ctx.resolveKey(apiKey);
    const matches = principal && (!businessId || (principal.role === 'business' && principal.businessId === businessId));
    if (!principal || !matches) {
        await failed(ctx, client);
        throw new AppError('AUTHENTICATION_ERROR', businessId ? 'The business id or API key is not valid' : 'The API key is not valid');
    }
    const { hash, keyId } = await ctx.resolveKey.describe(apiKey);
    await endPreviousSession(ctx, client);
    const { token, sessionId } = await createSession(ctx.db, {
        kind: principal.role === 'business' ? 'api_key' : 'master',
        ...(keyId ? { apiKeyId: keyId } : {}),
        credentialHash: hash,
        userAgent: client.userAgent,
        ipAddress: client.ip,
        maxHours: ctx.config.sessionMaxHours,
    });
    return { principal: { ...principal, sessionId }, token };
}
/** One answer (401) and about the same time for an unknown e-mail and a wrong password. */
export async function signInWithPassword(ctx, client, email, password) {
    await assertNotBlocked(ctx.failures, addressKey(client.ip), accountKey(email));
    const account = await findAccountByEmail(ctx.db, email.trim());
    const ok = account
        ? await verifyPassword(account.passwordHash, password)
        : await verifyDummyPassword(password);
    if (!account || !ok) {
        await failed(ctx, client, email);
        throw wrongCredentials();
    }
    await endPreviousSession(ctx, client);
    const { token, sessionId } = await createSession(ctx.db, {
        kind: 'account',
        accountId: account.accountId,
        userAgent: client.userAgent,
        ipAddress: client.ip,
        maxHours: ctx.config.sessionMaxHours,
    });
    return { principal: await accountPrincipal(ctx.db, toAccountInfo(account), sessionId), token };
}
/** A new session for an account (invitation accepted, password changed): a fresh token. */
export async function startAccountSession(ctx, client, account) {
    await endPreviousSession(ctx, client);
    const { token, sessionId } = await createSession(ctx.db, {
        kind: 'account',
        accountId: account.id,
        userAgent: client.userAgent,
        ipAddress: client.ip,
        maxHours: ctx.config.sessionMaxHours,
    });
    return { principal: await accountPrincipal(ctx.db, account, sessionId), token };
}
export async function signOut(ctx, token) {
    if (!token)
        return;
    const found = await findSessionByTokenHash(ctx.db, hashSecret(token));
    if (found)
        await deleteSession(ctx.db, found.session.sessionId);
}
export function checkNewPassword(password, context) {
    const problem = passwordProblem(password, context);
    if (problem)
        throw invalid(`The password ${problem}`, { password: problem });
}
export async function createAccount(ctx, input) {
    const email = input.email.trim();
    const name = input.name.trim();
    if (!name)
        throw invalid('name must not be blank', { name: 'must not be blank' });
    checkNewPassword(input.password, [email, email.split('@')[0] ?? '', name]);
    if (await findAccountByEmail(ctx.db, email)) {
        throw conflict('An account with this e-mail already exists', { field_errors: { email: 'is taken' } });
    }
    return insertAccount(ctx.db, {
        email,
        name,
        passwordHash: await hashPassword(input.password),
        isAdmin: input.is_admin ?? false,
    });
}
export async function hasAccounts(ctx) {
    return { has_accounts: (await countAccounts(ctx.db)) > 0 };
}
function accountOf(principal) {
    if (principal.role === 'business' || !principal.account) {
        throw new AppError('AUTHORIZATION_ERROR', 'This action needs a signed-in team account');
    }
    return principal.account;
}
export async function listOwnSessions(ctx, principal) {
    const idleSince = Date.now() - ctx.config.sessionIdleMinutes * 60_000;
    const rows = (await listAccountSessions(ctx.db, accountOf(principal).id)).filter((row) => row.lastSeenAt.getTime() > idleSince);
    const sessions = rows.map((row) => ({
        session_id: row.sessionId,
        current: row.sessionId === principal.sessionId,
        device: row.userAgent,
        ip_address: row.ipAddress,
        created_at: row.createdAt.toISOString(),
        last_seen_at: row.lastSeenAt.toISOString(),
        expires_at: row.expiresAt.toISOString(),
    }));
    return { sessions, total: sessions.length, page: 1, per_page: Math.max(sessions.length, 1) };
}
export async function revokeOwnSession(ctx, principal, sessionId) {
    if (!(await deleteAccountSession(ctx.db, accountOf(principal).id, sessionId)))
        throw notFound('Session');
}
export async function revokeOtherSessions(ctx, principal) {
    await deleteAccountSessions(ctx.db, accountOf(principal).id, principal.sessionId);
}
/** Checks the current password; every session of the account ends and a fresh one starts. */
export async function changePassword(ctx, principal, client, currentPassword, newPassword) {
    const info = accountOf(principal);
    await assertNotBlocked(ctx.failures, addressKey(client.ip), accountKey(info.email));
    const account = await findAccount(ctx.db, info.id);
    if (!account || !(await verifyPassword(account.passwordHash, currentPassword))) {
        await failed(ctx, client, info.email);
        throw invalid('The current password is not right', { current_password: 'is not right' });
    }
    checkNewPassword(newPassword, [account.email, account.email.split('@')[0] ?? '', account.name]);
    await updateAccountPassword(ctx.db, account.accountId, await hashPassword(newPassword));
    await deleteAccountSessions(ctx.db, account.accountId, null);
    return startAccountSession(ctx, { ...client, previousToken: undefined }, info);
}
/** Always the same answer; a known e-mail gets a single-use link valid for one hour. */
export async function requestPasswordReset(ctx, email) {
    const token = generateSecret('icmpr');
    const tokenHash = hashSecret(token);
    const account = await findAccountByEmail(ctx.db, email.trim());
    if (!account)
        return;
    await insertPasswordReset(ctx.db, {
        accountId: account.accountId,
        tokenHash,
        expiresAt: new Date(Date.now() + RESET_TTL_MS),
    });
    const link = `${ctx.config.publicUrl}/reset-password/${token}`;
    // Not awaited: a slow mail server must not tell a known e-mail from an unknown one.
    void ctx.mailer
        .send({
        to: account.email,
        subject: 'Reset your ICMP password',
        text: `Someone asked to reset the password of your ICMP account.\n\nSet a new one within an hour: ${link}\n\nIf it was not you, ignore this mail.`,
        link,
    })
        .catch(() => { });
}
export async function confirmPasswordReset(ctx, client, token, newPassword) {
    await assertNotBlocked(ctx.failures, addressKey(client.ip));
    checkNewPassword(newPassword, []);
    const reset = await consumePasswordReset(ctx.db, hashSecret(token));
    const account = reset ? await findAccount(ctx.db, reset.accountId) : undefined;
    if (!account) {
        await failed(ctx, client);
        throw invalid('The reset link is not valid or has expired', { token: 'is not valid or has expired' });
    }
    checkNewPassword(newPassword, [account.email, account.email.split('@')[0] ?? '', account.name]);
    await updateAccountPassword(ctx.db, account.accountId, await hashPassword(newPassword));
    await deleteAccountSessions(ctx.db, account.accountId, null);
}
export const isUuid = (value) => UUID.test(value);
//# sourceMappingURL=auth.service.js.map