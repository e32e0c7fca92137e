import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeys, businesses } from '../../src/db/schema.js';
import { expectError, expectFieldErrors, parseSetCookies } from '../helpers/assertions.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { bearer, createBusiness, missingId } from '../helpers/factories.js';
import { SESSION_COOKIE, sessionCookieOf } from '../helpers/team.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t.close());

const me = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/api/auth/me', headers });
const post = (url: string, payload: object, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url, payload, headers });

const keyHashOf = async (businessId: string) => {
  const [row] = await t.database.db
    .select({ hash: apiKeys.keyHash })
    .from(apiKeys)
    .where(eq(apiKeys.businessId, businessId));
  return row?.hash;
};

describe('credentials', () => {
  it('accepts a business key as Bearer and X-API-Key, and a session made from it as the cookie', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const expected = {
      role: 'business',
      business_id: business.business_id,
      business_name: business.business_name,
      scopes: ['admin'],
    };
    const session = sessionCookieOf(await post('/api/auth/login', { api_key: business.api_key }));
    const channels: Array<Record<string, string>> = [
      bearer(business.api_key),
      { 'x-api-key': business.api_key },
      { cookie: session },
      { cookie: `theme=dark; ${session}; other=1` },
    ];
    for (const headers of channels) {
      const response = await me(headers);
      expect(response.statusCode, JSON.stringify(headers)).toBe(200);
      expect(response.json()).toEqual(expected);
    }
    // The same key works on a business route through each channel.
    for (const headers of channels) {
      const response = await t.app.inject({
        method: 'GET',
        url: `/api/businesses/${business.business_id}`,
        headers,
      });
      expect(response.statusCode).toBe(200);
    }
  });

  it('accepts the master key as Bearer and X-API-Key', async () => {
    for (const headers of [bearer(t.masterKey), { 'x-api-key': t.masterKey }]) {
      const response = await me(headers);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ role: 'admin' });
    }
  });

  it('answers 401 without a key or with a wrong one', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const refused: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer ' },
      { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
      bearer('icmp_not_a_real_key'),
      bearer(business.api_key.slice(0, -1)),
      bearer(`${t.masterKey}x`),
      { 'x-api-key': 'wrong' },
      { cookie: `${SESSION_COOKIE}=wrong` },
      { cookie: `${SESSION_COOKIE}=${encodeURIComponent(business.api_key)}` }, // a key is no session
      { cookie: `businessApiKey=${encodeURIComponent(business.api_key)}` }, // the old key cookie is ignored
    ];
    for (const headers of refused) {
      expectError(await me(headers), 401, 'AUTHENTICATION_ERROR');
    }
  });

  it('never echoes a presented key in an error', async () => {
    const wrong = `icmp_${missingId()}`;
    const response = await me(bearer(wrong));
    expect(response.body).not.toContain(wrong);
  });
});

describe('POST /api/save-config', () => {
  it('checks the key and starts a session: the HttpOnly cookie names it, never the key', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const hashBefore = await keyHashOf(business.business_id);
    const response = await post('/api/save-config', {
      business_id: business.business_id,
      api_key: business.api_key,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      success: true,
      business_id: business.business_id,
      business_name: business.business_name,
    });
    const cookies = parseSetCookies(response);
    expect(cookies).toHaveLength(1);
    const [cookie] = cookies;
    expect(cookie?.name).toBe(SESSION_COOKIE);
    expect(cookie?.value).not.toContain(business.api_key);
    expect(cookie?.attributes.httponly).toBe(true);
    expect(String(cookie?.attributes.samesite).toLowerCase()).toBe('lax');
    expect(cookie?.attributes.path).toBe('/');
    expect(cookie?.attributes['max-age']).toBe(String(t.config.sessionMaxHours * 3600));
    expect(cookie?.attributes.secure).toBeUndefined(); // plain HTTP here

    // The key is unchanged and the cookie authenticates.
    expect(await keyHashOf(business.business_id)).toBe(hashBefore);
    const viaCookie = await me({ cookie: sessionCookieOf(response) });
    expect(viaCookie.json()).toMatchObject({ role: 'business', business_id: business.business_id });
    // Nothing about the response reveals the key beyond the cookie itself.
    expect(response.body).not.toContain(business.api_key);
  });

  it('accepts the original camelCase field names', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const response = await post('/api/save-config', {
      businessId: business.business_id,
      businessApiKey: business.api_key,
      userId: 'someone',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ success: true, business_id: business.business_id });
    expect(parseSetCookies(response)[0]?.name).toBe(SESSION_COOKIE);
  });

  it('answers 401 to a wrong key and changes nothing', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const other = await createBusiness(t.app, t.masterKey);
    const hashBefore = await keyHashOf(business.business_id);

    for (const body of [
      { business_id: business.business_id, api_key: 'icmp_guess' },
      { business_id: business.business_id, api_key: other.api_key },
      { business_id: business.business_id, api_key: t.masterKey },
      { businessId: business.business_id, businessApiKey: `${business.api_key}0` },
    ]) {
      const response = await post('/api/save-config', body);
      expectError(response, 401, 'AUTHENTICATION_ERROR');
      expect(parseSetCookies(response)).toHaveLength(0);
    }
    expect(await keyHashOf(business.business_id)).toBe(hashBefore);
    expect((await me(bearer(business.api_key))).statusCode).toBe(200);
    expect((await me(bearer(other.api_key))).statusCode).toBe(200);
  });

  it('does not create a business for an unknown id', async () => {
    const unknownId = missingId();
    const business = await createBusiness(t.app, t.masterKey);
    expectError(
      await post('/api/save-config', { business_id: unknownId, api_key: business.api_key }),
      401,
      'AUTHENTICATION_ERROR',
    );
    expectError(
      await post('/api/save-config', { business_id: unknownId, api_key: 'icmp_new_key_please' }),
      401,
      'AUTHENTICATION_ERROR',
    );
    const rows = await t.database.db.select().from(businesses).where(eq(businesses.businessId, unknownId));
    expect(rows).toHaveLength(0);
    expectError(
      await t.app.inject({
        method: 'GET',
        url: `/api/businesses/${unknownId}`,
        headers: bearer(t.masterKey),
      }),
      404,
      'NOT_FOUND',
    );
  });

  it('answers 400 with field_errors for missing or malformed fields', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    expectFieldErrors(await post('/api/save-config', {}), ['business_id', 'api_key']);
    expectFieldErrors(await post('/api/save-config', { business_id: business.business_id }), ['api_key']);
    expectFieldErrors(await post('/api/save-config', { api_key: business.api_key }), ['business_id']);
    expectFieldErrors(await post('/api/save-config', { businessApiKey: business.api_key }), ['business_id']);
    expectFieldErrors(await post('/api/save-config', { business_id: '', api_key: '' }), [
      'business_id',
      'api_key',
    ]);
    expectFieldErrors(await post('/api/save-config', { business_id: 'abc', api_key: business.api_key }), [
      'business_id',
    ]);
    expectError(
      await post('/api/save-config', { business_id: { $ne: null }, api_key: business.api_key }),
      400,
      'VALIDATION_ERROR',
    );
  });
});

describe('POST /api/auth/login, GET /api/auth/me, POST /api/auth/logout', () => {
  it('signs in with the master key', async () => {
    const response = await post('/api/auth/login', { api_key: t.masterKey });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ role: 'admin' });
    const [cookie] = parseSetCookies(response);
    expect(cookie?.name).toBe(SESSION_COOKIE);
    expect(cookie?.value).not.toContain(t.masterKey);
    expect(cookie?.attributes.httponly).toBe(true);
    expect(String(cookie?.attributes.samesite).toLowerCase()).toBe('lax');
    expect((await me({ cookie: sessionCookieOf(response) })).json()).toEqual({ role: 'admin' });
  });

  it('signs in with a business key', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const response = await post('/api/auth/login', { api_key: business.api_key });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      role: 'business',
      business_id: business.business_id,
      business_name: business.business_name,
      scopes: ['admin'],
    });
    const [cookie] = parseSetCookies(response);
    expect(cookie?.name).toBe(SESSION_COOKIE);
    expect(cookie?.value).not.toContain(business.api_key);
    expect(cookie?.attributes.path).toBe('/');
  });

  it('refuses a wrong key without setting a cookie, and a missing one with 400', async () => {
    const response = await post('/api/auth/login', { api_key: 'icmp_wrong' });
    expectError(response, 401, 'AUTHENTICATION_ERROR');
    expect(parseSetCookies(response)).toHaveLength(0);
    expectError(await post('/api/auth/login', {}), 400, 'VALIDATION_ERROR');
    expectFieldErrors(await post('/api/auth/login', { api_key: '' }), ['api_key']);
  });

  it('me needs a credential', async () => {
    expectError(await me({}), 401, 'AUTHENTICATION_ERROR');
  });

  it('logout ends the session (204) and clears the cookie; a copied cookie stops working', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const session = sessionCookieOf(await post('/api/auth/login', { api_key: business.api_key }));
    expect((await me({ cookie: session })).statusCode).toBe(200);
    const response = await post('/api/auth/logout', {}, { cookie: session, origin: 'http://localhost' });
    expect(response.statusCode).toBe(204);
    const [cookie] = parseSetCookies(response);
    expect(cookie?.name).toBe(SESSION_COOKIE);
    expect(cookie?.value).toBe('');
    expect(cookie?.attributes.path).toBe('/');
    const expires = cookie?.attributes.expires;
    const maxAge = cookie?.attributes['max-age'];
    expect(maxAge === '0' || (typeof expires === 'string' && Date.parse(expires) <= Date.now())).toBe(true);
    expectError(await me({ cookie: session }), 401, 'AUTHENTICATION_ERROR');
    // Logging out does not revoke the key itself.
    expect((await me(bearer(business.api_key))).statusCode).toBe(200);
  });

  it('logout works without a cookie', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/auth/logout' });
    expect(response.statusCode).toBe(204);
  });

  it('a rotated key ends the sessions signed in with it', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const session = sessionCookieOf(await post('/api/auth/login', { api_key: business.api_key }));
    const rotated = await post(`/api/businesses/${business.business_id}/rotate-key`, {}, bearer(t.masterKey));
    expect(rotated.statusCode).toBe(200);
    expectError(await me({ cookie: session }), 401, 'AUTHENTICATION_ERROR');
    expect((await me(bearer(rotated.json().api_key))).statusCode).toBe(200);
  });
});
