import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { bearer, type CreatedBusiness, createBusiness } from '../helpers/factories.js';

/**
 * A dashboard query has a statement timeout (ANALYTICS_TIMEOUT_MS): past it the overview answers 503
 * SERVICE_ERROR with reason `query_timeout`, not a 500, and the connection is free again. PostgreSQL
 * only: another connection holds a lock the overview's LLM query waits on, which counts toward the
 * timeout (PGlite is one connection; nothing can hold a lock against it).
 */
describe.skipIf(!process.env.DATABASE_URL)('analytics statement timeout', () => {
  let t: TestApp;
  let a: CreatedBusiness;
  beforeAll(async () => {
    t = await buildTestApp({ ANALYTICS_TIMEOUT_MS: '300' });
    a = await createBusiness(t.app, t.masterKey);
  });
  afterAll(async () => t?.close());

  const overview = () =>
    t.app.inject({ method: 'GET', url: '/api/analytics/overview', headers: bearer(a.api_key) });

  it('answers 503 query_timeout when a query runs past it, and 200 once it can finish', async () => {
    expect((await overview()).statusCode).toBe(200);
    const locker = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE llm_calls IN ACCESS EXCLUSIVE MODE');
      const blocked = await overview();
      expect(blocked.statusCode, blocked.body).toBe(503);
      expect(blocked.json().error).toMatchObject({
        code: 'SERVICE_ERROR',
        details: { reason: 'query_timeout' },
      });
      await locker.query('ROLLBACK');
    } finally {
      await locker.end();
    }
    expect((await overview()).statusCode).toBe(200);
  });

  it('rejects a timeout outside its bounds at start', async () => {
    await expect(buildTestApp({ ANALYTICS_TIMEOUT_MS: '10' })).rejects.toThrow(/ANALYTICS_TIMEOUT_MS/);
  });
});
