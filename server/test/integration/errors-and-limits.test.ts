import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businesses } from '../../src/db/schema.js';
import { expectError, expectFieldErrors } from '../helpers/assertions.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import {
  bearer,
  createAgent,
  createBusiness,
  createUser,
  missingId,
  uniqueName,
} from '../helpers/factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t.close());

const json = { 'content-type': 'application/json' };

describe('malformed requests', () => {
  it('answers 400 VALIDATION_ERROR to malformed JSON', async () => {
    for (const payload of [
      '{"business_name": ',
      '{bad json}',
      "{'business_name': 'x'}",
      '[1,2',
      'undefined',
      '{"a":1}}',
    ]) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/businesses',
        headers: { ...bearer(t.masterKey), ...json },
        payload,
      });
      expectError(response, 400, 'VALIDATION_ERROR');
    }
  });

  it('answers 400 to a body that is JSON but not an object', async () => {
    for (const payload of ['"just a string"', '42', 'null', '[]', 'true']) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/businesses',
        headers: { ...bearer(t.masterKey), ...json },
        payload,
      });
      expectError(response, 400, 'VALIDATION_ERROR');
    }
  });

  it('answers 400 to an empty JSON body', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/businesses',
      headers: { ...bearer(t.masterKey), ...json },
      payload: '',
    });
    expectError(response, 400, 'VALIDATION_ERROR');
  });

  it('answers 400 with field_errors to wrong types, and stores nothing', async () => {
    const name = uniqueName('Typed');
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['/api/businesses', { business_name: 12345 }, 'business_name'],
      ['/api/businesses', { business_name: true }, 'business_name'],
      ['/api/businesses', { business_name: ['a'] }, 'business_name'],
      ['/api/businesses', { business_name: { first: 'a' } }, 'business_name'],
      ['/api/businesses', { business_name: name, business_description: 7 }, 'business_description'],
      [
        '/api/businesses',
        { business_name: name, settings: { history_limit: '5' } },
        'settings.history_limit',
      ],
      [
        '/api/businesses',
        { business_name: name, settings: { history_limit: 2.5 } },
        'settings.history_limit',
      ],
      ['/api/businesses', { business_name: name, settings: 'yes' }, 'settings'],
    ];
    for (const [url, payload, field] of cases) {
      const response = await t.app.inject({ method: 'POST', url, headers: bearer(t.masterKey), payload });
      expectFieldErrors(response, [field]);
    }
    const stored = await t.database.db.select().from(businesses).where(eq(businesses.businessName, name));
    expect(stored).toHaveLength(0);
    const numeric = await t.database.db.select().from(businesses).where(eq(businesses.businessName, '12345'));
    expect(numeric).toHaveLength(0);
  });

  it('keeps null as null for nullable fields', async () => {
    const business = await createBusiness(t.app, t.masterKey, {
      website: 'https://x.example',
      phone_number: '123456',
    });
    const user = await createUser(t.app, business.api_key, { email: 'a@b.co' });
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/businesses/${business.business_id}`,
      headers: bearer(business.api_key),
      payload: { website: null, phone_number: null },
    });
    expect(patched.json()).toMatchObject({ website: null, phone_number: null });
    const updated = await t.app.inject({
      method: 'PUT',
      url: `/api/users/${user.user_id}`,
      headers: bearer(business.api_key),
      payload: { email: null },
    });
    expect(updated.json().email).toBeNull();
  });

  it('answers 400 to wrong types for users and agents', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const key = bearer(business.api_key);
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['/api/users', { first_name: 1, last_name: 'B' }, 'first_name'],
      ['/api/users', { first_name: 'A', last_name: null }, 'last_name'],
      ['/api/users', { first_name: 'A', last_name: 'B', email: 5 }, 'email'],
      ['/api/agents', { agent_name: 99 }, 'agent_name'],
      ['/api/agents', { agent_name: 'A', agent_type: ['ai'] }, 'agent_type'],
    ];
    for (const [url, payload, field] of cases) {
      expectFieldErrors(await t.app.inject({ method: 'POST', url, headers: key, payload }), [field]);
    }
  });

  it('answers 400 to bad UUIDs in the path and the query', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const key = bearer(business.api_key);
    for (const [method, url] of [
      ['GET', '/api/businesses/1'],
      ['GET', `/api/businesses/${business.business_id}x`],
      ['PATCH', '/api/businesses/%27%20OR%201%3D1'],
      ['GET', '/api/users/abc'],
      ['DELETE', '/api/users/00000000-0000-0000-0000-00000000000g'],
      ['GET', '/api/agents/zzz'],
      ['GET', '/api/users?business_id=123'],
      ['GET', "/api/agents?business_id=' OR 1=1 --"],
    ] as const) {
      const response = await t.app.inject({
        method,
        url,
        headers: key,
        payload: method === 'PATCH' ? { address: 'x' } : undefined,
      });
      expectError(response, 400, 'VALIDATION_ERROR');
    }
  });

  it('answers 413 PAYLOAD_TOO_LARGE to bodies over 1 MiB', async () => {
    const big = 'x'.repeat(1024 * 1024 + 10);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/businesses',
      headers: bearer(t.masterKey),
      payload: { business_name: uniqueName('Huge'), business_description: big },
    });
    expectError(response, 413, 'PAYLOAD_TOO_LARGE');
    const business = await createBusiness(t.app, t.masterKey);
    const viaUsers = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: bearer(business.api_key),
      payload: { first_name: big, last_name: 'B' },
    });
    expectError(viaUsers, 413, 'PAYLOAD_TOO_LARGE');
    // Just under the limit is parsed (and then refused by the field's own limit, not by size).
    const underLimit = await t.app.inject({
      method: 'POST',
      url: '/api/businesses',
      headers: bearer(t.masterKey),
      payload: { business_name: uniqueName('Big'), business_description: 'y'.repeat(900 * 1024) },
    });
    expectFieldErrors(underLimit, ['business_description']);
  });

  it('refuses a body sent with the wrong Content-Type', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/businesses',
      headers: { ...bearer(t.masterKey), 'content-type': 'text/plain' },
      payload: JSON.stringify({ business_name: uniqueName('Text') }),
    });
    // text/plain is parsed as a string, which is not the object the route expects.
    expect([400, 415]).toContain(response.statusCode);
    expectError(response, response.statusCode, 'VALIDATION_ERROR');
    expect(
      await t.database.db.select().from(businesses).where(eq(businesses.businessName, 'Text')),
    ).toHaveLength(0);
    const form = await t.app.inject({
      method: 'POST',
      url: '/api/save-config',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'business_id=x&api_key=y',
    });
    expectError(form, 415, 'VALIDATION_ERROR');
  });

  it('answers 404 NOT_FOUND in the envelope for unknown routes and methods', async () => {
    for (const [method, url] of [
      ['GET', '/api/nothing-here'],
      ['POST', '/api/businesses/extra/segments/here'],
      ['PATCH', '/api/users'],
      ['DELETE', '/api/businesses'],
      ['GET', '/api/v2/businesses?x=1'],
    ] as const) {
      const response = await t.app.inject({ method, url, headers: bearer(t.masterKey) });
      const error = expectError(response, 404, 'NOT_FOUND');
      expect(error.message).not.toContain('?x=1');
    }
    expectError(await t.app.inject({ method: 'GET', url: '/api/nothing-here' }), 404, 'NOT_FOUND');
  });

  it('never answers 500 to hostile input', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const user = await createUser(t.app, business.api_key);
    const agent = await createAgent(t.app, business.api_key);
    const key = bearer(business.api_key);
    const requests: Array<{
      method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
      url: string;
      payload?: unknown;
    }> = [
      {
        method: 'POST',
        url: '/api/users',
        payload: { first_name: 'A', last_name: 'B', email: 'x'.repeat(400) },
      },
      { method: 'POST', url: '/api/users', payload: { first_name: '\u0000', last_name: 'B' } },
      { method: 'POST', url: '/api/agents', payload: { agent_name: '\u0000nul' } },
      { method: 'PUT', url: `/api/users/${user.user_id}`, payload: { first_name: { $gt: '' } } },
      { method: 'PUT', url: `/api/agents/${agent.agent_id}`, payload: { agent_name: 'x'.repeat(10_000) } },
      {
        method: 'PATCH',
        url: `/api/businesses/${business.business_id}`,
        payload: { settings: { llm_provider: 'evil' } },
      },
      { method: 'PATCH', url: `/api/businesses/${business.business_id}`, payload: { first_stage_id: null } },
      {
        method: 'PATCH',
        url: `/api/businesses/${business.business_id}`,
        payload: '{"__proto__": {"polluted": true}, "address": "x"}',
      },
      {
        method: 'PATCH',
        url: `/api/businesses/${business.business_id}`,
        payload: { constructor: { prototype: { x: 1 } } },
      },
      { method: 'GET', url: '/api/users?page=999999999999999999999' },
      { method: 'GET', url: '/api/users?per_page=1e3' },
      { method: 'GET', url: `/api/users?business_id=${business.business_id}&business_id=${missingId()}` },
      { method: 'GET', url: '/api/users/%00' },
      { method: 'GET', url: '/api/businesses/%E0%A4%A' },
      { method: 'DELETE', url: `/api/agents/${missingId()}` },
      {
        method: 'POST',
        url: '/api/save-config',
        payload: { business_id: business.business_id, api_key: 'x'.repeat(100_000) },
      },
      { method: 'POST', url: '/api/auth/login', payload: { api_key: ['a', 'b'] } },
    ];
    for (const request of requests) {
      const response = await t.app.inject({
        method: request.method,
        url: request.url,
        headers: { ...key, 'content-type': 'application/json' },
        ...(request.payload === undefined
          ? {}
          : {
              payload:
                typeof request.payload === 'string' ? request.payload : JSON.stringify(request.payload),
            }),
      });
      expect(
        response.statusCode,
        `${request.method} ${request.url}: ${response.body.slice(0, 200)}`,
      ).toBeGreaterThanOrEqual(200);
      expect(
        response.statusCode,
        `${request.method} ${request.url}: ${response.body.slice(0, 200)}`,
      ).toBeLessThan(500);
      if (response.statusCode >= 400) {
        const body = response.json();
        expect(Object.keys(body)).toEqual(['error']);
        expect(typeof body.error.code).toBe('string');
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('rate limiting', () => {
  const LIMIT = 3;
  /** A fresh app (own master key, own budget) on the suite's database, with a tiny budget. */
  const withLimitedApp = async (run: (limited: TestApp) => Promise<void>) => {
    const limited = await buildTestApp({ RATE_LIMIT_PER_MINUTE: String(LIMIT) }, { database: t.database });
    try {
      await run(limited);
    } finally {
      await limited.close();
    }
  };
  const me = (app: TestApp, headers: Record<string, string>) =>
    app.app.inject({ method: 'GET', url: '/api/auth/me', headers });

  it('counts down X-RateLimit headers and then answers 429 RATE_LIMITED with Retry-After', async () => {
    await withLimitedApp(async (limited) => {
      const headers = bearer(limited.masterKey);
      for (let i = 1; i <= LIMIT; i += 1) {
        const response = await me(limited, headers);
        expect(response.statusCode).toBe(200);
        expect(response.headers['x-ratelimit-limit']).toBe(String(LIMIT));
        expect(response.headers['x-ratelimit-remaining']).toBe(String(LIMIT - i));
        const reset = Number(response.headers['x-ratelimit-reset']);
        expect(reset).toBeGreaterThan(0);
        expect(reset).toBeLessThanOrEqual(60);
      }
      const refused = await me(limited, headers);
      expectError(refused, 429, 'RATE_LIMITED');
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(refused.headers['x-ratelimit-remaining']).toBe('0');
      // The same key stays refused on every route, and the refusal happens before any work.
      const name = uniqueName('Limited');
      expectError(
        await limited.app.inject({
          method: 'POST',
          url: '/api/businesses',
          headers,
          payload: { business_name: name },
        }),
        429,
        'RATE_LIMITED',
      );
      expect(
        await t.database.db.select().from(businesses).where(eq(businesses.businessName, name)),
      ).toHaveLength(0);
    });
  });

  it('gives each credential its own budget, whichever header carries it', async () => {
    // Businesses are made through the suite's unlimited app so the limited app's budgets start full.
    const a = await createBusiness(t.app, t.masterKey);
    const b = await createBusiness(t.app, t.masterKey);
    await withLimitedApp(async (limited) => {
      for (let i = 0; i < LIMIT; i += 1) expect((await me(limited, bearer(a.api_key))).statusCode).toBe(200);
      expectError(await me(limited, bearer(a.api_key)), 429, 'RATE_LIMITED');
      expectError(await me(limited, { 'x-api-key': a.api_key }), 429, 'RATE_LIMITED');
      const other = await me(limited, bearer(b.api_key));
      expect(other.statusCode).toBe(200);
      expect(other.headers['x-ratelimit-remaining']).toBe(String(LIMIT - 1));
      const admin = await me(limited, bearer(limited.masterKey));
      expect(admin.statusCode).toBe(200);
      expect(admin.headers['x-ratelimit-remaining']).toBe(String(LIMIT - 1));
    });
  });

  it('limits wrong keys too, per key', async () => {
    await withLimitedApp(async (limited) => {
      const wrong = `icmp_wrong_${missingId()}`;
      for (let i = 0; i < LIMIT; i += 1)
        expectError(await me(limited, bearer(wrong)), 401, 'AUTHENTICATION_ERROR');
      expectError(await me(limited, bearer(wrong)), 429, 'RATE_LIMITED');
      expectError(await me(limited, bearer(`${wrong}2`)), 401, 'AUTHENTICATION_ERROR');
    });
  });
});
