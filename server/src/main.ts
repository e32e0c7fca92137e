import path from 'node:path';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/client.js';
import { resolveSecretsKey } from './lib/secret-box.js';
import { MASTER_KEY_HASH_FILE, resolveMasterKey } from './master-key.js';

async function main() {
  const startedAt = performance.now();
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`);
      process.exit(78);
    }
    throw error;
  }
  const masterKey = resolveMasterKey(config);
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.dbPoolSize,
  });
  const app = await buildApp(config, {
    database,
    masterKeyHash: masterKey.hash,
    secretsKey: resolveSecretsKey(config.channelSecretsKey, config.dataDir),
  });
  await app.startBackgroundWork?.();

  const shutdown = async (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  const address = await app.listen({ port: config.port, host: config.host });
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(2);
  const lines = [
    '',
    `  ICMP is running at ${address.replace('127.0.0.1', 'localhost')}  (started in ${seconds}s)`,
    `  database: ${database.kind === 'pglite' ? `embedded PGlite in ${path.resolve(config.dataDir ?? '', 'pglite')}` : 'PostgreSQL'}`,
    `  LLM: ${app.llmDescription ?? 'offline engine'}`,
    `  API docs: ${address}/docs`,
  ];
  if (masterKey.generated) {
    lines.push(
      '',
      `  Admin (master) key, shown only this once — keep it safe:`,
      `    ${masterKey.generated}`,
      `  (only its hash is stored, in ${path.join(config.dataDir ?? '', MASTER_KEY_HASH_FILE)}; delete that file to generate a new key)`,
    );
  } else if (masterKey.source === 'data-dir') {
    lines.push(
      '',
      `  Admin key: the one printed at first start. Lost it? Delete ${path.join(config.dataDir ?? '', MASTER_KEY_HASH_FILE)} and restart.`,
    );
  }
  console.log(`${lines.join('\n')}\n`);
}

main().catch((error) => {
  console.error('ICMP failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
