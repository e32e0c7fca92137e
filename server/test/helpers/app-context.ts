import { type App, buildApp } from '../../src/app.js';
import { createInvalidationBus, type InvalidationBus } from '../../src/cache/invalidation-bus.js';
import { type Config, loadConfig } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import type { Database } from '../../src/db/client.js';
import { generateSecret, hashSecret } from '../../src/lib/keys.js';
import { createSecretBox, resolveSecretsKey } from '../../src/lib/secret-box.js';
import { createBusinessConfigCache } from '../../src/modules/config-cache/business-config-cache.js';
import { createKeyResolver } from '../../src/plugins/auth.js';
import { openTestDatabase } from './build-test-app.js';

/**
 * The real app (as buildTestApp builds it) plus an AppContext of its own on the same database and
 * invalidation bus, for calling services such as computeVariables or getBusinessConfig directly.
 * That context's config cache hears the app's writes only through the bus, as a second server
 * process would.
 */
export interface TestAppWithContext {
  app: App;
  config: Config;
  database: Database;
  masterKey: string;
  ctx: AppContext;
  bus: InvalidationBus;
  close(): Promise<void>;
}

export async function buildTestAppWithContext(env: Record<string, string> = {}): Promise<TestAppWithContext> {
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
  const masterKeyHash = hashSecret(masterKey);
  const database = await openTestDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: null,
    poolSize: config.dbPoolSize,
  });
  const bus = await createInvalidationBus({ redisUrl: config.redisUrl, databaseUrl: config.databaseUrl });
  const app = await buildApp(config, { database, masterKeyHash, bus });
  await app.ready();
  // Only what services outside the HTTP layer read; the assertion keeps this helper compiling as
  // AppContext grows (a service reaching for a field not set here fails loudly in its test).
  const ctx = {
    config,
    database,
    db: database.db,
    bus,
    resolveKey: createKeyResolver({ db: database.db, masterKeyHash, bus }),
    configCache: createBusinessConfigCache({ db: database.db, bus }),
    llm: null,
    secretBox: createSecretBox(resolveSecretsKey(config.channelSecretsKey, null)),
  } as AppContext;
  return {
    app,
    config,
    database,
    masterKey,
    ctx,
    bus,
    async close() {
      await app.close();
      await bus.close();
      await database.close();
    },
  };
}
