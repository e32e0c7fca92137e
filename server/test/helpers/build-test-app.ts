import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { type App, buildApp } from '../../src/app.js';
import type { InvalidationBus } from '../../src/cache/invalidation-bus.js';
import { type Config, loadConfig } from '../../src/config.js';
import { type Database, type DatabaseOptions, openDatabase } from '../../src/db/client.js';
import { generateSecret, hashSecret } from '../../src/lib/keys.js';
import type { Mailer } from '../../src/lib/mailer.js';

/**
 * openDatabase for tests: an in-memory PGlite database starts from the migrated one the run's
 * globalSetup prepared (test/setup/prepared-server.ts) instead of running initdb and every migration
 * again. PostgreSQL, a DATA_DIR and another migrations folder are opened exactly as asked.
 */
export function openTestDatabase(options: DatabaseOptions): Promise<Database> {
  const dump = inject('pgliteDump');
  if (options.databaseUrl || options.dataDir || options.migrationsFolder || !dump)
    return openDatabase(options);
  return openDatabase({ ...options, pgliteDump: new Blob([readFileSync(dump)]) });
}

export interface TestApp {
  app: App;
  config: Config;
  database: Database;
  masterKey: string;
  close(): Promise<void>;
}

/**
 * The real app on a real database: in-memory PGlite by default, PostgreSQL when the suite runs
 * with DATABASE_URL (and Redis with REDIS_URL), as CI does.
 */
export async function buildTestApp(
  env: Record<string, string> = {},
  options: { database?: Database; bus?: InvalidationBus; mailer?: Mailer } = {},
): Promise<TestApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: process.env.DATABASE_URL,
    REDIS_URL: process.env.REDIS_URL,
    RATE_LIMIT_PER_MINUTE: '100000',
    DB_POOL_SIZE: '10',
    ...env,
  });
  const masterKey = generateSecret('icmp_admin');
  const database =
    options.database ??
    (await openTestDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: env.DATA_DIR ?? null,
      poolSize: config.dbPoolSize,
    }));
  const app = await buildApp(config, {
    database,
    masterKeyHash: hashSecret(masterKey),
    ...(options.bus ? { bus: options.bus } : {}),
    ...(options.mailer ? { mailer: options.mailer } : {}),
  });
  await app.ready();
  return {
    app,
    config,
    database,
    masterKey,
    async close() {
      await app.close();
      if (!options.database) await database.close();
    },
  };
}

export function makeTempDir(prefix = 'icmp-test-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
