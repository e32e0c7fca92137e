import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../helpers/assertions.js';
import { buildTestApp, openTestDatabase, type TestApp } from '../helpers/build-test-app.js';
import { bearer, createBusiness } from '../helpers/factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t.close());

const get = (url: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url, headers });

describe('GET /health', () => {
  it('reports a healthy database without authentication', async () => {
    const response = await get('/health');
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ status: 'healthy', database: 'connected' });
    expect(typeof body.version).toBe('string');
    expect(body.version.length).toBeGreaterThan(0);
    expect(Math.abs(Date.parse(body.timestamp) - Date.now())).toBeLessThan(60_000);
  });

  it('reports 503 unhealthy when the database is unreachable', async () => {
    // Its own database, so closing it cannot disturb the other tests (on PostgreSQL: its own pool).
    const database = await openTestDatabase({
      databaseUrl: process.env.DATABASE_URL,
      dataDir: null,
      poolSize: 2,
    });
    const broken = await buildTestApp({}, { database });
    try {
      expect((await broken.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
      const business = await createBusiness(broken.app, broken.masterKey);
      await database.close();

      const response = await broken.app.inject({ method: 'GET', url: '/health' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ status: 'unhealthy', database: 'unreachable' });

      // API requests answer 503 SERVICE_ERROR, not 500, and the health answer keeps coming.
      const list = await broken.app.inject({
        method: 'GET',
        url: '/api/businesses',
        headers: bearer(broken.masterKey),
      });
      expectError(list, 503, 'SERVICE_ERROR');
      const users = await broken.app.inject({
        method: 'GET',
        url: '/api/users',
        headers: bearer(business.api_key),
      });
      // A key that cannot be checked is a service error, never "wrong key".
      expectError(users, 503, 'SERVICE_ERROR');
      expect((await broken.app.inject({ method: 'GET', url: '/ping' })).statusCode).toBe(200);
    } finally {
      await broken.close();
      await database.close().catch(() => {});
    }
  });
});

describe('GET /ping', () => {
  it('answers pong', async () => {
    const response = await get('/ping');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ response: 'pong' });
    expect(Number.isNaN(Date.parse(response.json().timestamp))).toBe(false);
  });
});

describe('GET /metrics', () => {
  it('serves Prometheus text to the master key', async () => {
    await get('/ping');
    const response = await get('/metrics', bearer(t.masterKey));
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.body).toMatch(/^# HELP /m);
    expect(response.body).toMatch(/^# TYPE icmp_http_request_duration_seconds histogram$/m);
    expect(response.body).toMatch(
      /^icmp_http_request_duration_seconds_count\{[^}]*route="\/ping"[^}]*\} [1-9]/m,
    );
    expect(response.body).toMatch(/^process_cpu_user_seconds_total /m);
    // Every sample line is `name{labels} value`.
    for (const line of response.body.split('\n').filter((l) => l && !l.startsWith('#'))) {
      expect(line).toMatch(/^[a-zA-Z_:][\w:]*(\{.*\})? [-+\w.]+$/);
    }
  });

  it('refuses business keys and anonymous callers', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    expectError(await get('/metrics', bearer(business.api_key)), 403, 'AUTHORIZATION_ERROR');
    expectError(await get('/metrics'), 401, 'AUTHENTICATION_ERROR');
    expectError(await get('/metrics', { 'x-api-key': 'icmp_wrong' }), 401, 'AUTHENTICATION_ERROR');
  });
});

describe('API description', () => {
  it('GET /openapi.json describes every foundation endpoint', async () => {
    const response = await get('/openapi.json');
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toMatch(/^3\./);
    expect(document.info.title).toBeTruthy();
    const expected: Record<string, string[]> = {
      '/api/businesses': ['post', 'get'],
      '/api/businesses/{business_id}': ['get', 'put', 'patch', 'delete'],
      '/api/businesses/{business_id}/rotate-key': ['post'],
      '/api/users': ['post', 'get'],
      '/api/users/{user_id}': ['get', 'put', 'delete'],
      '/api/agents': ['post', 'get'],
      '/api/agents/{agent_id}': ['get', 'put', 'delete'],
      '/api/save-config': ['post'],
      '/api/auth/login': ['post'],
      '/api/auth/me': ['get'],
      '/api/auth/logout': ['post'],
      '/health': ['get'],
      '/ping': ['get'],
      '/metrics': ['get'],
    };
    for (const [path, methods] of Object.entries(expected)) {
      expect(Object.keys(document.paths), path).toContain(path);
      for (const method of methods)
        expect(Object.keys(document.paths[path]), `${method} ${path}`).toContain(method);
    }
    // Request bodies are described with their snake_case fields.
    const bodyRef: string =
      document.paths['/api/businesses'].post.requestBody.content['application/json'].schema.$ref;
    const createBusinessBody = document.components.schemas[bodyRef.replace('#/components/schemas/', '')];
    expect(createBusinessBody.required).toContain('business_name');
    expect(Object.keys(document.components.securitySchemes)).toEqual(
      expect.arrayContaining(['bearerAuth', 'apiKeyHeader', 'cookieAuth']),
    );
  });

  it('GET /docs serves the browsable UI', async () => {
    let response = await get('/docs');
    if (response.statusCode >= 300 && response.statusCode < 400) {
      response = await get(String(response.headers.location).replace(/^\.\//, '/docs/'));
    }
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(response.body).toMatch(/swagger/i);
  });
});

describe('common response headers', () => {
  it('sends a request id, echoing a well-formed incoming one', async () => {
    const own = await get('/ping', { 'x-request-id': 'trace-123' });
    expect(own.headers['x-request-id']).toBe('trace-123');
    const generated = await get('/ping', { 'x-request-id': 'bad id with spaces' });
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends rate-limit and security headers', async () => {
    const response = await get('/ping');
    expect(response.headers['x-ratelimit-limit']).toBeDefined();
    expect(response.headers['x-ratelimit-remaining']).toBeDefined();
    expect(response.headers['x-ratelimit-reset']).toBeDefined();
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('sends the same security headers with an error, a missing route and a success', async () => {
    const security = (headers: Record<string, unknown>) =>
      Object.fromEntries(
        ['content-security-policy', 'strict-transport-security', 'x-frame-options', 'referrer-policy'].map(
          (name) => [name, headers[name]],
        ),
      );
    const ok = security((await get('/ping')).headers);
    expect(ok['x-frame-options']).toBe('SAMEORIGIN');
    expect(ok['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(security((await get('/api/no-such-route')).headers)).toEqual(ok);
    const refused = await get('/api/stages', { authorization: 'Bearer not-a-key' });
    expect(refused.statusCode).toBe(401);
    expect(security(refused.headers)).toEqual(ok);
  });
});
