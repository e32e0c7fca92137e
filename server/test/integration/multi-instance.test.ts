import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { bearer, createBusiness } from '../helpers/factories.js';

/**
 * Two server processes on one PostgreSQL with Redis: a key rotated or a business deleted through one
 * must stop working on the other (its key cache is dropped through Redis), not after the cache TTL.
 */
const shared = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

describe.runIf(shared)('two servers sharing PostgreSQL and Redis', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await buildTestApp();
    b = await buildTestApp();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  /** Redis delivers the invalidation asynchronously: poll briefly, far below the 30 s cache TTL. */
  const statusOnB = async (key: string, expected: number) => {
    let status = 0;
    for (let attempt = 0; attempt < 40; attempt += 1) {
      status = (await b.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(key) })).statusCode;
      if (status === expected) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return status;
  };

  it('retires a rotated key on the other server', async () => {
    const business = await createBusiness(a.app, a.masterKey);
    expect(await statusOnB(business.api_key, 200)).toBe(200); // now cached on B
    const rotated = await a.app.inject({
      method: 'POST',
      url: `/api/businesses/${business.business_id}/rotate-key`,
      headers: bearer(business.api_key),
    });
    expect(rotated.statusCode).toBe(200);
    expect(await statusOnB(business.api_key, 401)).toBe(401);
    expect(await statusOnB(rotated.json().api_key, 200)).toBe(200);
  });

  it('forgets a deleted business’s key on the other server', async () => {
    const business = await createBusiness(a.app, a.masterKey);
    expect(await statusOnB(business.api_key, 200)).toBe(200);
    const deleted = await a.app.inject({
      method: 'DELETE',
      url: `/api/businesses/${business.business_id}`,
      headers: bearer(a.masterKey),
    });
    expect(deleted.statusCode).toBe(204);
    expect(await statusOnB(business.api_key, 401)).toBe(401);
  });
});
