import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, passwordResets, sessions } from '../../src/db/schema.js';
import { hashSecret } from '../../src/lib/keys.js';
import { expectError, expectFieldErrors, parseSetCookies } from '../helpers/assertions.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { bearer, createBusiness } from '../helpers/factories.js';
import {
  browser,
  captureMail,
  createAccount,
  PASSWORD,
  SESSION_COOKIE,
  sessionCookieOf,
  signIn,
  uniqueEmail,
} from '../helpers/team.js';

const mail = captureMail();
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ PUBLIC_URL: 'https://icmp.example' }, { mailer: mail });
});
afterAll(async () => t.close());

const inject = (
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  headers: Record<string, string> = {},
  payload?: object,
) => t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
const me = (cookie: string) => inject('GET', '/api/auth/me', { cookie });
const login = (payload: object, headers: Record<string, string> = {}) =>
  inject('POST', '/api/auth/login', headers, payload);
const tokenHashOf = (cookie: string) => hashSecret(decodeURIComponent(cookie.split('=')[1] ?? ''));

describe('accounts', () => {
  it('GET /api/auth/setup says whether any account exists, and nothing else', async () => {
    const before = await inject('GET', '/api/auth/setup');
    expect(before.statusCode).toBe(200);
    expect(Object.keys(before.json())).toEqual(['has_accounts']);
    await createAccount(t.app, t.masterKey);
    expect((await inject('GET', '/api/auth/setup')).json()).toEqual({ has_accounts: true });
  });

  it('only the master key or a platform admin creates accounts', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const body = { email: uniqueEmail(), password: PASSWORD, name: 'Ana' };
    expectError(await inject('POST', '/api/auth/accounts', {}, body), 401, 'AUTHENTICATION_ERROR');
    expectError(
      await inject('POST', '/api/auth/accounts', bearer(business.api_key), body),
      403,
      'AUTHORIZATION_ERROR',
    );
    const plain = await createAccount(t.app, t.masterKey);
    const plainCookie = await signIn(t.app, plain.email);
    expectError(
      await inject('POST', '/api/auth/accounts', browser(plainCookie), body),
      403,
      'AUTHORIZATION_ERROR',
    );
    const admin = await createAccount(t.app, t.masterKey, { is_admin: true });
    const created = await inject(
      'POST',
      '/api/auth/accounts',
      browser(await signIn(t.app, admin.email)),
      body,
    );
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ email: body.email, name: 'Ana', is_admin: false });
    expect(created.body).not.toContain(PASSWORD);
    expect(created.body).not.toContain('argon2');
    const [row] = await t.database.db.select().from(accounts).where(eq(accounts.email, body.email));
    expect(row?.passwordHash).toMatch(/^\$argon2id\$/);
    // The same e-mail in another case is the same account.
    expectError(
      await inject('POST', '/api/auth/accounts', bearer(t.masterKey), {
        ...body,
        email: body.email.toUpperCase(),
      }),
      409,
      'CONFLICT',
    );
  });

  it('enforces the password policy: 10+ characters, not a common one, not the e-mail', async () => {
    const email = uniqueEmail();
    for (const password of ['short', '123456789', '1234567890', 'Password123', 'aaaaaaaaaaaa', email]) {
      expectFieldErrors(
        await inject('POST', '/api/auth/accounts', bearer(t.masterKey), { email, password, name: 'Bo' }),
        ['password'],
      );
    }
    expectFieldErrors(
      await inject('POST', '/api/auth/accounts', bearer(t.masterKey), {
        email: 'not-an-email',
        password: PASSWORD,
        name: 'Bo',
      }),
      ['email'],
    );
  });
});

describe('sign-in with e-mail and password', () => {
  it('starts a session; me answers the member form', async () => {
    const account = await createAccount(t.app, t.masterKey, { name: 'Carla' });
    const response = await login({ email: account.email, password: PASSWORD });
    expect(response.statusCode).toBe(200);
    const [cookie] = parseSetCookies(response);
    expect(cookie?.name).toBe(SESSION_COOKIE);
    expect(cookie?.attributes.httponly).toBe(true);
    expect(String(cookie?.attributes.samesite).toLowerCase()).toBe('lax');
    expect(response.json()).toEqual({
      role: 'member',
      user: { id: account.id, email: account.email, name: 'Carla', is_admin: false },
      memberships: [],
    });
    expect((await me(sessionCookieOf(response))).json()).toEqual(response.json());
    // Only the hash of the session token is stored.
    const token = decodeURIComponent(cookie?.value ?? '');
    const stored = await t.database.db.select().from(sessions).where(eq(sessions.accountId, account.id));
    expect(stored).toHaveLength(1);
    expect(stored[0]?.tokenHash).toBe(hashSecret(token));
    expect(JSON.stringify(stored)).not.toContain(token);
  });

  it('answers an unknown e-mail and a wrong password the same way', async () => {
    const account = await createAccount(t.app, t.masterKey);
    const unknown = await login({ email: uniqueEmail('nobody'), password: PASSWORD });
    const wrong = await login({ email: account.email, password: `${PASSWORD}!` });
    expectError(unknown, 401, 'AUTHENTICATION_ERROR');
    expectError(wrong, 401, 'AUTHENTICATION_ERROR');
    expect(unknown.body).toBe(wrong.body);
    expect(parseSetCookies(unknown)).toHaveLength(0);
    expect(parseSetCookies(wrong)).toHaveLength(0);
    // The password reset request is just as quiet.
    const resetUnknown = await inject(
      'POST',
      '/api/auth/password-reset',
      {},
      { email: uniqueEmail('nobody') },
    );
    const resetKnown = await inject('POST', '/api/auth/password-reset', {}, { email: account.email });
    expect(resetUnknown.statusCode).toBe(202);
    expect(resetKnown.statusCode).toBe(202);
    expect(resetUnknown.body).toBe(resetKnown.body);
  });

  it('rejects a mixed or empty body with 400', async () => {
    expectError(await login({ email: 'a@b.co' }), 400, 'VALIDATION_ERROR');
    expectError(await login({ api_key: 'x', email: 'a@b.co', password: PASSWORD }), 400, 'VALIDATION_ERROR');
    expectError(await login({ email: 'a@b.co', password: PASSWORD, extra: 1 }), 400, 'VALIDATION_ERROR');
  });
});

describe('sessions', () => {
  it('signing in gives a new cookie and ends the one the browser had (fixation)', async () => {
    const account = await createAccount(t.app, t.masterKey);
    const first = await signIn(t.app, account.email);
    const again = await login({ email: account.email, password: PASSWORD }, browser(first));
    const second = sessionCookieOf(again);
    expect(second).not.toBe(first);
    expectError(await me(first), 401, 'AUTHENTICATION_ERROR');
    expect((await me(second)).statusCode).toBe(200);
    // A key sign-in over an account session rotates too.
    const business = await createBusiness(t.app, t.masterKey);
    const keySession = sessionCookieOf(await login({ api_key: business.api_key }, browser(second)));
    expect(keySession).not.toBe(second);
    expectError(await me(second), 401, 'AUTHENTICATION_ERROR');
  });

  it('logout revokes the session at once: a copied cookie gets 401', async () => {
    const account = await createAccount(t.app, t.masterKey);
    const cookie = await signIn(t.app, account.email);
    const copy = cookie;
    expect((await inject('POST', '/api/auth/logout', browser(cookie))).statusCode).toBe(204);
    expectError(await me(copy), 401, 'AUTHENTICATION_ERROR');
  });

  it('ends after the idle timeout and at the absolute expiry', async () => {
    const account = await createAccount(t.app, t.masterKey);
    const idle = await signIn(t.app, account.email);
    const absolute = await signIn(t.app, account.email);
    expect((await me(idle)).statusCode).toBe(200);
    await t.database.db
      .update(sessions)
      .set({ lastSeenAt: sql`now() - make_interval(mins => ${t.config.sessionIdleMinutes + 1})` })
      .where(eq(sessions.tokenHash, tokenHashOf(idle)));
    expectError(await me(idle), 401, 'AUTHENTICATION_ERROR');
    await t.database.db
      .update(sessions)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(sessions.tokenHash, tokenHashOf(absolute)));
    expectError(await me(absolute), 401, 'AUTHENTICATION_ERROR');
  });

  it('lists own sessions with device, address and last seen; revokes one or all others', async () => {
    const account = await createAccount(t.app, t.masterKey);
    const laptop = sessionCookieOf(
      await login({ email: account.email, password: PASSWORD }, { 'user-agent': 'Laptop Browser' }),
    );
    const phone = sessionCookieOf(
      await login({ email: account.email, password: PASSWORD }, { 'user-agent': 'Phone Browser' }),
    );
    const tablet = await signIn(t.app, account.email);
    const list = await inject('GET', '/api/auth/sessions', { cookie: laptop });
    expect(list.statusCode).toBe(200);
    const items = list.json().sessions as Array<Record<string, unknown>>;
    expect(items).toHaveLength(3);
    expect(items.filter((s) => s.current)).toHaveLength(1);
    expect(items.find((s) => s.current)?.device).toBe('Laptop Browser');
    expect(items.map((s) => s.device)).toContain('Phone Browser');
    for (const item of items) {
      expect(item.ip_address).toBe('127.0.0.1');
      expect(typeof item.last_seen_at).toBe('string');
    }
    expect(list.body).not.toContain(decodeURIComponent(laptop.split('=')[1] ?? ''));

    const phoneId = items.find((s) => s.device === 'Phone Browser')?.session_id as string;
    expect((await inject('DELETE', `/api/auth/sessions/${phoneId}`, browser(laptop))).statusCode).toBe(204);
    expectError(await me(phone), 401, 'AUTHENTICATION_ERROR');
    // Someone else's session is not found.
    const other = await createAccount(t.app, t.masterKey);
    const otherCookie = await signIn(t.app, other.email);
    const otherId = (await inject('GET', '/api/auth/sessions', { cookie: otherCookie })).json().sessions[0]
      .session_id;
    expectError(await inject('DELETE', `/api/auth/sessions/${otherId}`, browser(laptop)), 404, 'NOT_FOUND');
    expect((await me(otherCookie)).statusCode).toBe(200);

    expect((await inject('DELETE', '/api/auth/sessions', browser(laptop))).statusCode).toBe(204);
    expectError(await me(tablet), 401, 'AUTHENTICATION_ERROR');
    expect((await me(laptop)).statusCode).toBe(200);
  });

  it('key sessions and the master key have no account sessions to list (403)', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    expectError(
      await inject('GET', '/api/auth/sessions', bearer(business.api_key)),
      403,
      'AUTHORIZATION_ERROR',
    );
    expectError(await inject('GET', '/api/auth/sessions', bearer(t.masterKey)), 403, 'AUTHORIZATION_ERROR');
  });
});

describe('passwords', () => {
  it('changing the password ends every other session and rotates this one', async () => {
    const account = await createAccount(t.app, t.masterKey);
    const current = await signIn(t.app, account.email);
    const elsewhere = await signIn(t.app, account.email);
    const newPassword = 'a much longer new passphrase';
    expectFieldErrors(
      await inject('POST', '/api/auth/password', browser(current), {
        current_password: 'not the password',
        new_password: newPassword,
      }),
      ['current_password'],
    );
    expectFieldErrors(
      await inject('POST', '/api/auth/password', browser(current), {
        current_password: PASSWORD,
        new_password: 'short',
      }),
      ['password'],
    );
    const changed = await inject('POST', '/api/auth/password', browser(current), {
      current_password: PASSWORD,
      new_password: newPassword,
    });
    expect(changed.statusCode).toBe(204);
    const rotated = sessionCookieOf(changed);
    expect(rotated).not.toBe(current);
    expectError(await me(current), 401, 'AUTHENTICATION_ERROR');
    expectError(await me(elsewhere), 401, 'AUTHENTICATION_ERROR');
    expect((await me(rotated)).statusCode).toBe(200);
    expectError(await login({ email: account.email, password: PASSWORD }), 401, 'AUTHENTICATION_ERROR');
    expect((await login({ email: account.email, password: newPassword })).statusCode).toBe(200);
  });

  it('a reset link works once, within an hour, and ends every session', async () => {
    const account = await createAccount(t.app, t.masterKey);
    const session = await signIn(t.app, account.email);
    expect(
      (await inject('POST', '/api/auth/password-reset', {}, { email: account.email.toUpperCase() }))
        .statusCode,
    ).toBe(202);
    const link = mail.lastLinkTo(account.email);
    expect(link).toMatch(/^https:\/\/icmp\.example\/reset-password\/[\w-]+$/);
    const token = link.split('/').pop() as string;
    // Only the token's hash is stored.
    const stored = await t.database.db
      .select()
      .from(passwordResets)
      .where(eq(passwordResets.tokenHash, hashSecret(token)));
    expect(stored).toHaveLength(1);

    expectFieldErrors(
      await inject('POST', '/api/auth/password-reset/confirm', {}, { token, new_password: 'short' }),
      ['password'],
    );
    const newPassword = 'reset to this long passphrase';
    const confirmed = await inject(
      'POST',
      '/api/auth/password-reset/confirm',
      {},
      { token, new_password: newPassword },
    );
    expect(confirmed.statusCode).toBe(204);
    expectError(await me(session), 401, 'AUTHENTICATION_ERROR');
    expect((await login({ email: account.email, password: newPassword })).statusCode).toBe(200);
    // Single use.
    expectFieldErrors(
      await inject(
        'POST',
        '/api/auth/password-reset/confirm',
        {},
        { token, new_password: 'yet another long one' },
      ),
      ['token'],
    );

    // An expired link is refused.
    await inject('POST', '/api/auth/password-reset', {}, { email: account.email });
    const late = mail.lastLinkTo(account.email).split('/').pop() as string;
    await t.database.db
      .update(passwordResets)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(passwordResets.tokenHash, hashSecret(late)));
    expectFieldErrors(
      await inject(
        'POST',
        '/api/auth/password-reset/confirm',
        {},
        { token: late, new_password: 'too late to reset it' },
      ),
      ['token'],
    );
  });

  it('an unknown e-mail gets no mail', async () => {
    const before = mail.sent.length;
    await inject('POST', '/api/auth/password-reset', {}, { email: uniqueEmail('ghost') });
    expect(mail.sent.length).toBe(before);
  });
});
