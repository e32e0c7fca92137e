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

/**
 * Dashboards take at most half the pool (AppContext.dashboardSlots): with a pool of 4, four overviews
 * stuck on a lock hold two connections, and the other requests still get one. Without the limit the
 * four would hold all four, and the list below would wait for a connection until pg's
 * connectionTimeoutMillis failed it. PostgreSQL only (PGlite has no pool and no second connection).
 */
describe.skipIf(!process.env.DATABASE_URL)('dashboard connections', () => {
  let t: TestApp;
  let a: CreatedBusiness;
  beforeAll(async () => {
    t = await buildTestApp({ DB_POOL_SIZE: '4', ANALYTICS_TIMEOUT_MS: '120000' });
    a = await createBusiness(t.app, t.masterKey);
  });
  afterAll(async () => t?.close());

  it('hold at most half the pool, so other requests still get a connection', async () => {
    const locker = new pg.Client({ connectionString: process.env.DATABASE_URL });
    // Outside any transaction: within one, pg_stat_activity answers the same snapshot every time.
    const observer = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await locker.connect();
    await observer.connect();
    const waitingOnLock = async () =>
      Number(
        (
          await observer.query(`SELECT count(*) AS n FROM pg_stat_activity
                                 WHERE datname = current_database() AND wait_event_type = 'Lock'`)
        ).rows[0].n,
      );
    try {
      await locker.query('BEGIN');
      // Read by the overview's stage funnel (whole days), written by no request below.
      await locker.query('LOCK TABLE analytics_daily_stage IN ACCESS EXCLUSIVE MODE');
      const overviews = Array.from({ length: 4 }, () =>
        t.app.inject({ method: 'GET', url: '/api/analytics/overview', headers: bearer(a.api_key) }),
      );
      while ((await waitingOnLock()) < 2) await new Promise((resolve) => setTimeout(resolve, 50));
      const list = await t.app.inject({
        method: 'GET',
        url: '/api/conversations',
        headers: bearer(a.api_key),
      });
      expect(list.statusCode, list.body).toBe(200);
      expect(await waitingOnLock()).toBe(2);
      await locker.query('ROLLBACK');
      for (const response of await Promise.all(overviews))
        expect(response.statusCode, response.body).toBe(200);
    } finally {
      await locker.query('ROLLBACK').catch(() => {});
      await Promise.all([locker.end(), observer.end()]);
    }
  });
});
