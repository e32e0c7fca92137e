import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeys, auditLogs } from '../../src/db/schema.js';
import { expectError, expectFieldErrors } from '../helpers/assertions.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { bearer, createBusiness } from '../helpers/factories.js';
import { addMember, browser } from '../helpers/team.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t.close());

const inject = (
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  headers: Record<string, string> = {},
  payload?: object,
) => t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

async function makeKey(
  businessId: string,
  body: object,
  headers: Record<string, string> = bearer(t.masterKey),
) {
  const response = await inject('POST', `/api/businesses/${businessId}/api-keys`, headers, body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

describe('API keys', () => {
  it('the key made with the business is the first, with scope admin; new keys are shown once', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const url = `/api/businesses/${business.business_id}/api-keys`;
    const before = await inject('GET', url, bearer(business.api_key));
    expect(before.json().total).toBe(1);
    expect(before.json().api_keys[0]).toMatchObject({
      scopes: ['admin'],
      is_primary: true,
      prefix: business.api_key.slice(0, 12),
      last_used_at: expect.any(String), // it was just used to list
      expires_at: null,
    });

    const created = await makeKey(business.business_id, {
      name: 'Shop integration',
      scopes: ['messages', 'read'],
    });
    expect(created).toMatchObject({
      name: 'Shop integration',
      scopes: ['messages', 'read'],
      expires_at: null,
    });
    expect(created.api_key).toMatch(/^icmp_/);
    expect(created.prefix).toBe(created.api_key.slice(0, 12));

    const list = await inject('GET', url, bearer(t.masterKey));
    expect(list.json().total).toBe(2);
    expect(list.body).not.toContain(created.api_key);
    expect(list.body).not.toContain(business.api_key);
    const listed = list.json().api_keys.find((k: { key_id: string }) => k.key_id === created.key_id);
    expect(listed).toMatchObject({
      name: 'Shop integration',
      created_by: { type: 'master', id: null, name: 'master key' },
      last_used_at: null,
      is_primary: false,
    });
    const [stored] = await t.database.db.select().from(apiKeys).where(eq(apiKeys.keyId, created.key_id));
    expect(stored?.keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(created.api_key);
    const audit = await t.database.db.select().from(auditLogs).where(eq(auditLogs.entityId, created.key_id));
    expect(audit.map((a) => a.action)).toEqual(['create']);
  });

  it('scopes limit what a key may do', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const id = business.business_id;
    const messages = (await makeKey(id, { name: 'm', scopes: ['messages'] })).api_key;
    const read = (await makeKey(id, { name: 'r', scopes: ['read'] })).api_key;
    const write = (await makeKey(id, { name: 'w', scopes: ['write'] })).api_key;
    const admin = (await makeKey(id, { name: 'a', scopes: ['admin'] })).api_key;

    const postMessage = (key: string) =>
      inject('POST', '/api/message', bearer(key), { business_id: id, content: 'Hello, I want to order' });
    expect((await postMessage(messages)).statusCode).toBe(200);
    expectError(await postMessage(read), 403, 'AUTHORIZATION_ERROR');
    expect((await postMessage(write)).statusCode).toBe(200);

    const listTemplates = (key: string) => inject('GET', `/api/templates?business_id=${id}`, bearer(key));
    expectError(await listTemplates(messages), 403, 'AUTHORIZATION_ERROR');
    expect((await listTemplates(read)).statusCode).toBe(200);

    const createAgent = (key: string) =>
      inject('POST', '/api/agents', bearer(key), { business_id: id, agent_name: `Agent ${Math.random()}` });
    expectError(await createAgent(read), 403, 'AUTHORIZATION_ERROR');
    expect((await createAgent(write)).statusCode).toBe(201);

    const channels = (key: string) => inject('GET', `/api/businesses/${id}/channels`, bearer(key));
    expectError(await channels(write), 403, 'AUTHORIZATION_ERROR');
    expect((await channels(admin)).statusCode).toBe(200);
    expectError(
      await inject('GET', `/api/businesses/${id}/api-keys`, bearer(write)),
      403,
      'AUTHORIZATION_ERROR',
    );
    expect((await inject('GET', `/api/businesses/${id}/api-keys`, bearer(admin))).statusCode).toBe(200);
  });

  it('an expired key stops working; an expiry in the past is refused', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    expectFieldErrors(
      await inject('POST', `/api/businesses/${business.business_id}/api-keys`, bearer(t.masterKey), {
        name: 'old',
        scopes: ['read'],
        expires_at: new Date(Date.now() - 60_000).toISOString(),
      }),
      ['expires_at'],
    );
    const key = await makeKey(business.business_id, {
      name: 'temporary',
      scopes: ['read'],
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const me = () => inject('GET', '/api/auth/me', bearer(key.api_key));
    expect((await me()).statusCode).toBe(200);
    await t.database.db
      .update(apiKeys)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(apiKeys.keyId, key.key_id));
    // Key lookups are cached (30 s); any key change of the business drops the cache, as here.
    await inject('POST', `/api/businesses/${business.business_id}/rotate-key`, bearer(t.masterKey));
    expectError(await me(), 401, 'AUTHENTICATION_ERROR');
    const login = await inject('POST', '/api/auth/login', {}, { api_key: key.api_key });
    expectError(login, 401, 'AUTHENTICATION_ERROR');
  });

  it('last_used_at is written when a key is used, at most once a minute', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const key = await makeKey(business.business_id, { name: 'used', scopes: ['read'] });
    const lastUsed = async () =>
      (await t.database.db.select().from(apiKeys).where(eq(apiKeys.keyId, key.key_id)))[0]?.lastUsedAt ??
      null;
    expect(await lastUsed()).toBeNull();
    await inject('GET', '/api/auth/me', bearer(key.api_key));
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    await inject('GET', '/api/auth/me', bearer(key.api_key));
    expect((await lastUsed())?.getTime()).toBe(first?.getTime());
  });

  it('deleting a key ends it at once, with its sessions; rotate-key replaces the first key only', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const owner = await addMember(t.app, t.masterKey, business.business_id, 'owner');
    const key = await makeKey(
      business.business_id,
      { name: 'doomed', scopes: ['read'] },
      browser(owner.cookie),
    );
    expect(key.api_key).toMatch(/^icmp_/);
    const login = await inject('POST', '/api/auth/login', {}, { api_key: key.api_key });
    const session = login.headers['set-cookie'] as string;
    const sessionCookie = session.split(';')[0] as string;
    expect((await inject('GET', '/api/auth/me', bearer(key.api_key))).statusCode).toBe(200);

    const rotated = await inject(
      'POST',
      `/api/businesses/${business.business_id}/rotate-key`,
      browser(owner.cookie),
    );
    expect(rotated.statusCode).toBe(200);
    expectError(await inject('GET', '/api/auth/me', bearer(business.api_key)), 401, 'AUTHENTICATION_ERROR');
    expect((await inject('GET', '/api/auth/me', bearer(key.api_key))).statusCode).toBe(200);

    const url = `/api/businesses/${business.business_id}/api-keys/${key.key_id}`;
    expect((await inject('DELETE', url, browser(owner.cookie))).statusCode).toBe(204);
    expectError(await inject('GET', '/api/auth/me', bearer(key.api_key)), 401, 'AUTHENTICATION_ERROR');
    expectError(await inject('GET', '/api/auth/me', { cookie: sessionCookie }), 401, 'AUTHENTICATION_ERROR');
    expectError(await inject('DELETE', url, browser(owner.cookie)), 404, 'NOT_FOUND');
    // Another business's key id is not found in this business.
    const other = await createBusiness(t.app, t.masterKey);
    const otherKey = await makeKey(other.business_id, { name: 'theirs', scopes: ['read'] });
    expectError(
      await inject(
        'DELETE',
        `/api/businesses/${business.business_id}/api-keys/${otherKey.key_id}`,
        browser(owner.cookie),
      ),
      404,
      'NOT_FOUND',
    );
    const listed = await inject(
      'GET',
      `/api/businesses/${business.business_id}/api-keys`,
      bearer(t.masterKey),
    );
    expect(listed.json().api_keys[0].created_by).toMatchObject({ type: 'master' });
  });

  it('validates the body', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const url = `/api/businesses/${business.business_id}/api-keys`;
    expectFieldErrors(await inject('POST', url, bearer(t.masterKey), { name: 'x', scopes: [] }), ['scopes']);
    expectFieldErrors(await inject('POST', url, bearer(t.masterKey), { name: 'x', scopes: ['root'] }), [
      'scopes.0',
    ]);
    expectFieldErrors(await inject('POST', url, bearer(t.masterKey), { name: '', scopes: ['read'] }), [
      'name',
    ]);
    expectFieldErrors(await inject('POST', url, bearer(t.masterKey), { name: '   ', scopes: ['read'] }), [
      'name',
    ]);
  });
});
