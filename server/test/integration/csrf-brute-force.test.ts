import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../helpers/assertions.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { bearer, createBusiness } from '../helpers/factories.js';
import { createAccount, PASSWORD, sessionCookieOf, signIn, uniqueEmail } from '../helpers/team.js';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ PUBLIC_URL: 'https://icmp.example', CORS_ORIGINS: 'https://partner.example' });
});
afterAll(async () => t.close());

/** A distinct client address per test, so the per-address budgets do not mix. */
const address = () =>
  `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

describe('CSRF: cookie-authenticated state changes come from our own origins only', () => {
  let cookie: string;
  let businessId: string;
  let apiKey: string;
  beforeAll(async () => {
    const business = await createBusiness(t.app, t.masterKey);
    businessId = business.business_id;
    apiKey = business.api_key;
    cookie = sessionCookieOf(
      await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { api_key: business.api_key } }),
    );
  });
  const createAgent = (headers: Record<string, string>, payload: string | object, contentType?: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/agents',
      headers: { ...headers, ...(contentType ? { 'content-type': contentType } : {}) },
      payload,
    });

  it('refuses a cross-site JSON, text/plain or form post, and one without Origin or Referer', async () => {
    const body = { business_id: businessId, agent_name: `Agent ${randomUUID()}` };
    for (const headers of <Array<Record<string, string>>>[
      { cookie, origin: 'https://evil.example' },
      { cookie, origin: 'null' },
      { cookie, referer: 'https://evil.example/page' },
      { cookie },
    ]) {
      expectError(await createAgent(headers, body), 403, 'AUTHORIZATION_ERROR');
    }
    expectError(
      await createAgent({ cookie, origin: 'https://evil.example' }, JSON.stringify(body), 'text/plain'),
      403,
      'AUTHORIZATION_ERROR',
    );
    expectError(
      await createAgent(
        { cookie, origin: 'https://evil.example' },
        `business_id=${businessId}&agent_name=x`,
        'application/x-www-form-urlencoded',
      ),
      403,
      'AUTHORIZATION_ERROR',
    );
    // Logout too: nobody else can sign a browser out.
    expectError(
      await t.app.inject({
        method: 'POST',
        url: '/api/auth/logout',
        headers: { cookie, origin: 'https://evil.example' },
      }),
      403,
      'AUTHORIZATION_ERROR',
    );
    const agents = await t.app.inject({
      method: 'GET',
      url: `/api/agents?business_id=${businessId}`,
      headers: { cookie },
    });
    expect(agents.json().total).toBe(0);
  });

  it('allows PUBLIC_URL, a CORS origin, the server’s own address, and a same-origin Referer', async () => {
    for (const headers of <Array<Record<string, string>>>[
      { cookie, origin: 'https://icmp.example' },
      { cookie, origin: 'https://partner.example' },
      { cookie, origin: 'http://localhost' }, // the Host the browser reached
      { cookie, referer: 'https://icmp.example/agents' },
    ]) {
      const response = await createAgent(headers, {
        business_id: businessId,
        agent_name: `Agent ${randomUUID()}`,
      });
      expect(response.statusCode, JSON.stringify(headers)).toBe(201);
    }
  });

  it('does not touch reads or header-authenticated requests', async () => {
    const read = await t.app.inject({
      method: 'GET',
      url: `/api/agents?business_id=${businessId}`,
      headers: { cookie, origin: 'https://evil.example' },
    });
    expect(read.statusCode).toBe(200);
    const viaBearer = await createAgent(
      { ...bearer(apiKey), origin: 'https://evil.example' },
      { agent_name: `Agent ${randomUUID()}` },
    );
    expect(viaBearer.statusCode).toBe(201);
  });
});

describe('brute force', () => {
  it('more than 30 failures from one address → 429 with Retry-After for every credential check there', async () => {
    const business = await createBusiness(t.app, t.masterKey);
    const from = address();
    const statuses: number[] = [];
    for (let i = 0; i < 36; i += 1) {
      const guess =
        i % 3 === 0
          ? t.app.inject({
              method: 'GET',
              url: '/api/auth/me',
              headers: bearer(`icmp_${randomUUID()}`),
              remoteAddress: from,
            })
          : i % 3 === 1
            ? t.app.inject({
                method: 'POST',
                url: '/api/auth/login',
                payload: { email: uniqueEmail('guess'), password: PASSWORD },
                remoteAddress: from,
              })
            : t.app.inject({
                method: 'POST',
                url: '/api/auth/login',
                payload: { api_key: `icmp_${randomUUID()}` },
                remoteAddress: from,
              });
      statuses.push((await guess).statusCode);
    }
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(31)).toEqual([429, 429, 429, 429, 429]);
    // Even a right key is refused from there until the window passes…
    const blocked = await t.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: bearer(business.api_key),
      remoteAddress: from,
    });
    expectError(blocked, 429, 'RATE_LIMITED');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(600);
    expectError(
      await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { api_key: business.api_key },
        remoteAddress: from,
      }),
      429,
      'RATE_LIMITED',
    );
    // …while another address is unaffected, and requests without a credential still work.
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: '/api/auth/me',
          headers: bearer(business.api_key),
          remoteAddress: address(),
        })
      ).statusCode,
    ).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/health', remoteAddress: from })).statusCode).toBe(200);
  });

  it('bad session cookies count as failures too', async () => {
    const from = address();
    let last = 0;
    for (let i = 0; i < 32; i += 1) {
      last = (
        await t.app.inject({
          method: 'GET',
          url: '/api/auth/me',
          headers: { cookie: `icmp_session=icmps_${randomUUID()}` },
          remoteAddress: from,
        })
      ).statusCode;
    }
    expect(last).toBe(429);
  });

  it('more than 10 wrong passwords for one account → its sign-in answers 429, from any address', async () => {
    const account = await createAccount(t.app, t.masterKey);
    const other = await createAccount(t.app, t.masterKey);
    for (let i = 0; i < 11; i += 1) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: account.email, password: `wrong password ${i}` },
        remoteAddress: address(),
      });
      expect(response.statusCode).toBe(401);
    }
    const locked = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: account.email, password: PASSWORD },
      remoteAddress: address(),
    });
    expectError(locked, 429, 'RATE_LIMITED');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    // An unknown e-mail is budgeted the same way (no telling accounts apart by lock-out).
    const ghost = uniqueEmail('ghost');
    for (let i = 0; i < 11; i += 1) {
      await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: ghost, password: `wrong password ${i}` },
        remoteAddress: address(),
      });
    }
    expectError(
      await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: ghost, password: PASSWORD },
        remoteAddress: address(),
      }),
      429,
      'RATE_LIMITED',
    );
    expect((await signIn(t.app, other.email, PASSWORD, address())).length).toBeGreaterThan(0);
  });

  it('does not believe X-Forwarded-For unless TRUST_PROXY says so', async () => {
    const guess = (app: TestApp['app'], from: string, forwarded: string) =>
      app.inject({
        method: 'GET',
        url: '/api/auth/me',
        headers: { ...bearer(`icmp_${randomUUID()}`), 'x-forwarded-for': forwarded },
        remoteAddress: from,
      });
    // Default: the socket's address counts, whatever the header claims.
    const from = address();
    let last = 0;
    for (let i = 0; i < 32; i += 1) last = (await guess(t.app, from, address())).statusCode;
    expect(last).toBe(429);
    // Behind one trusted proxy: the address it reports counts.
    const proxied = await buildTestApp({ TRUST_PROXY: '1' });
    try {
      const proxy = address();
      for (let i = 0; i < 32; i += 1)
        expect((await guess(proxied.app, proxy, address())).statusCode).toBe(401);
      const client = address();
      for (let i = 0; i < 32; i += 1) last = (await guess(proxied.app, proxy, client)).statusCode;
      expect(last).toBe(429);
    } finally {
      await proxied.close();
    }
  });
});
