import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, makeTempDir, type TestApp } from '../helpers/build-test-app.js';
import { bearer, createBusiness, createUser } from '../helpers/factories.js';

/**
 * The embedded database keeps its data in DATA_DIR across restarts. Always PGlite (DATABASE_URL
 * is blanked), whichever database the rest of the suite runs on.
 */
describe('PGlite persistence across a restart', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const start = async (dataDir: string) => {
    const t = await buildTestApp({ DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '' });
    expect(t.database.kind).toBe('pglite');
    return t;
  };

  it('keeps businesses, keys, users and settings', async () => {
    const temp = makeTempDir();
    cleanups.push(() => temp.remove());

    let first: TestApp | undefined = await start(temp.dir);
    cleanups.push(async () => first?.close());
    const business = await createBusiness(first.app, first.masterKey, {
      settings: { fallback_reply: 'Back soon' },
    });
    const user = await createUser(first.app, business.api_key, { first_name: 'Persisted' });
    const rotated = await first.app.inject({
      method: 'POST',
      url: `/api/businesses/${business.business_id}/rotate-key`,
      headers: bearer(business.api_key),
    });
    const newKey = rotated.json().api_key as string;
    await first.close();
    first = undefined;
    expect(existsSync(path.join(temp.dir, 'pglite'))).toBe(true);

    const second = await start(temp.dir);
    cleanups.push(() => second.close());
    const me = await second.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(newKey) });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      business_id: business.business_id,
      business_name: business.business_name,
    });
    // The key retired before the restart stays retired.
    const old = await second.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: bearer(business.api_key),
    });
    expect(old.statusCode).toBe(401);

    const stored = await second.app.inject({
      method: 'GET',
      url: `/api/businesses/${business.business_id}`,
      headers: bearer(newKey),
    });
    expect(stored.json()).toMatchObject({
      first_stage_id: business.first_stage_id,
      settings: { fallback_reply: 'Back soon' },
    });
    const users = await second.app.inject({ method: 'GET', url: '/api/users', headers: bearer(newKey) });
    expect(
      users.json().users.map((u: { user_id: string; first_name: string }) => [u.user_id, u.first_name]),
    ).toEqual([[user.user_id, 'Persisted']]);
    // Migrations ran again harmlessly and writes still work.
    const another = await createBusiness(second.app, second.masterKey);
    expect(another.business_id).not.toBe(business.business_id);
  });
});
