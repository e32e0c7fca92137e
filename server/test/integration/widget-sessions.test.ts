import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../helpers/assertions.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { bearer, createBusiness } from '../helpers/factories.js';
import {
  enableWebChannel,
  newVisitor,
  openSession,
  SHOP,
  visitorHeaders,
} from '../helpers/widget-fixture.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t.close());

async function webBusiness(settings = {}) {
  const business = await createBusiness(t.app, t.masterKey);
  const web = await enableWebChannel(t.app, business, settings);
  return { business, key: web.publishable_key };
}

describe('POST /api/widget/sessions', () => {
  it('opens a session from an allowed origin: token, settings, readable by that origin only', async () => {
    const { key } = await webBusiness({ title: 'Trattoria', greeting: 'Ciao!', color: '#112233' });
    const response = await openSession(t.app, key, SHOP);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({
      visitor_token: expect.stringMatching(/^wvt_/),
      conversation_id: null,
      title: 'Trattoria',
      greeting: 'Ciao!',
      color: '#112233',
    });
    expect(response.headers['access-control-allow-origin']).toBe(SHOP);
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
    expect(String(response.headers.vary)).toMatch(/origin/i);
  });

  it('refuses a foreign origin, a missing origin and an "null" origin with 403 and no token', async () => {
    const { key } = await webBusiness();
    for (const origin of ['https://evil.example', 'http://shop.example', null, 'null']) {
      const response = await openSession(t.app, key, origin);
      expectError(response, 403, 'AUTHORIZATION_ERROR');
      expect(response.body).not.toContain('wvt_');
    }
  });

  it('refuses a disabled channel with 403', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const web = await enableWebChannel(t.app, business, { enabled: false });
    expectError(await openSession(t.app, web.publishable_key), 403, 'AUTHORIZATION_ERROR');
  });

  it('answers 401 for an unknown key, and for a rotated one while the new key works', async () => {
    expectError(await openSession(t.app, 'pk_does_not_exist'), 401, 'AUTHENTICATION_ERROR');
    const { business, key } = await webBusiness();
    const visitor = await newVisitor(t.app, key);
    const rotated = await t.app.inject({
      method: 'POST',
      url: `/api/businesses/${business.business_id}/channels/web/rotate-key`,
      headers: bearer(business.api_key),
    });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const newKey = rotated.json().publishable_key as string;
    expect(newKey).not.toBe(key);
    expectError(await openSession(t.app, key), 401, 'AUTHENTICATION_ERROR');
    // The visitor's token is bound to the business, not the key: it resumes with the new one.
    const resumed = await openSession(t.app, newKey, SHOP, visitor.visitor_token);
    expect(resumed.statusCode, resumed.body).toBe(200);
    expect(resumed.json().visitor_token).toBe(visitor.visitor_token);
  });

  it('resumes a valid visitor token and refuses a tampered one or one of another business', async () => {
    const { key } = await webBusiness();
    const other = await webBusiness();
    const visitor = await newVisitor(t.app, key);
    const resumed = await openSession(t.app, key, SHOP, visitor.visitor_token);
    expect(resumed.json().visitor_token).toBe(visitor.visitor_token);

    const token = visitor.visitor_token;
    const flipped = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    const [visitorId, , signature] = token.slice(4).split('.');
    const foreignBusiness = `wvt_${visitorId}.${other.business.business_id}.${signature}`;
    for (const bad of [flipped, foreignBusiness, 'wvt_garbage', `${token}.x`]) {
      expectError(await openSession(t.app, key, SHOP, bad), 401, 'AUTHENTICATION_ERROR');
    }
    const otherVisitor = await newVisitor(t.app, other.key);
    expectError(await openSession(t.app, key, SHOP, otherVisitor.visitor_token), 401, 'AUTHENTICATION_ERROR');
  });

  it('validates the body: malformed JSON, missing key, unknown fields', async () => {
    const malformed = await t.app.inject({
      method: 'POST',
      url: '/api/widget/sessions',
      headers: { origin: SHOP, 'content-type': 'application/json' },
      payload: '{"key": ',
    });
    expectError(malformed, 400, 'VALIDATION_ERROR');
    expectError(
      await t.app.inject({
        method: 'POST',
        url: '/api/widget/sessions',
        headers: { origin: SHOP },
        payload: {},
      }),
      400,
      'VALIDATION_ERROR',
    );
    expectError(
      await t.app.inject({
        method: 'POST',
        url: '/api/widget/sessions',
        headers: { origin: SHOP },
        payload: { key: 'pk_x', business_id: 'x' },
      }),
      400,
      'VALIDATION_ERROR',
    );
  });
});

describe('widget CORS', () => {
  it('answers the preflight for Authorization and Content-Type, without credentials', async () => {
    const response = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/widget/messages',
      headers: {
        origin: SHOP,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe(SHOP);
    expect(String(response.headers['access-control-allow-headers'])).toMatch(/authorization/);
    expect(String(response.headers['access-control-allow-headers'])).toMatch(/content-type/);
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
    expect(response.headers['access-control-allow-origin']).not.toBe('*');
  });

  it('keeps the rest of the API closed to the widget origin', async () => {
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/conversations',
      headers: { origin: SHOP, 'access-control-request-method': 'GET' },
    });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('a visitor token outside the widget routes', () => {
  it('is no credential anywhere else: 401', async () => {
    const { business, key } = await webBusiness();
    const visitor = await newVisitor(t.app, key);
    const urls = [
      ['GET', '/api/conversations'],
      ['GET', `/api/businesses/${business.business_id}/channels`],
      ['GET', `/api/businesses/${business.business_id}`],
      ['GET', '/api/auth/me'],
    ] as const;
    for (const [method, url] of urls) {
      expectError(
        await t.app.inject({ method, url, headers: visitorHeaders(visitor.visitor_token) }),
        401,
        'AUTHENTICATION_ERROR',
      );
      expectError(
        await t.app.inject({ method, url, headers: { 'x-api-key': visitor.visitor_token } }),
        401,
        'AUTHENTICATION_ERROR',
      );
    }
    const message = await t.app.inject({
      method: 'POST',
      url: '/api/message',
      headers: visitorHeaders(visitor.visitor_token),
      payload: { business_id: business.business_id, content: 'hi' },
    });
    expectError(message, 401, 'AUTHENTICATION_ERROR');
  });

  it('and a publishable key is no credential either', async () => {
    const { key } = await webBusiness();
    expectError(
      await t.app.inject({ method: 'GET', url: '/api/conversations', headers: bearer(key) }),
      401,
      'AUTHENTICATION_ERROR',
    );
  });
});

describe('widget rate limit', () => {
  it('limits session opening per client address', async () => {
    const limited = await buildTestApp({ RATE_LIMIT_PER_MINUTE: '3', REDIS_URL: '' }); // a private in-memory budget;
    try {
      const business = await createBusiness(limited.app, limited.masterKey);
      const web = await enableWebChannel(limited.app, business);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++)
        statuses.push((await openSession(limited.app, web.publishable_key)).statusCode);
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      expect(statuses.at(-1)).toBe(429);
    } finally {
      await limited.close();
    }
  });
});
