import cluster from 'node:cluster';
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { runPrimary } from './cluster/primary.js';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/client.js';
import { PendingMigrationsError } from './db/migrations.js';
import { resolveSecretsKey } from './lib/secret-box.js';
import { resolveMasterKey } from './master-key.js';
import { startBanner } from './start-banner.js';
/** Exit code of a start refused for its configuration (sysexits EX_CONFIG); the cluster primary stops on it. */
export const EXIT_CONFIG = 78;
async function main() {
    const startedAt = performance.now();
    let config;
    try {
        config = loadConfig();
    }
    catch (error) {
        if (error instanceof ConfigError) {
            console.error(`Configuration error: ${error.message}`);
            process.exit(EXIT_CONFIG);
        }
        throw error;
    }
    if (cluster.isPrimary && config.webConcurrency > 1) {
        await runPrimary(config, { startedAt, exitConfig: EXIT_CONFIG });
        return;
    }
    await runServer(config, startedAt);
}
/** One server process: the only one (WEB_CONCURRENCY=1), or a cluster worker. */
async function runServer(config, startedAt) {
    const worker = cluster.isWorker;
    const masterKey = resolveMasterKey(config);
    let database;
    try {
        database = await openDatabase({
            databaseUrl: config.databaseUrl,
            dataDir: config.dataDir,
            poolSize: config.dbPoolSize,
            // A worker's primary has migrated already; the worker only checks.
            migrate: worker ? false : config.migrateOnStart,
        });
    }
    catch (error) {
        if (error instanceof PendingMigrationsError) {
            console.error(`ICMP cannot start: ${error.message}`);
            process.exit(EXIT_CONFIG);
        }
        throw error;
    }
    const app = await buildApp(config, {
        database,
        masterKeyHash: masterKey.hash,
        secretsKey: resolveSecretsKey(config.channelSecretsKey, config.dataDir),
    });
    await app.startBackgroundWork?.();
    // SIGTERM/SIGINT (a worker takes SIGTERM from its primary only: a terminal's Ctrl-C reaches the
    // whole process group, and the primary forwards it once).
    if (worker)
        process.on('SIGINT', () => { });
    const grace = closeWithGrace({
        // The backstop; the deadline proper is handled below, so leases are released before exiting.
        delay: config.shutdownTimeoutMs + 10_000,
        skip: worker ? ['SIGINT'] : [],
        logger: { error: (message) => app.log.error(message) },
    }, async ({ signal, err, manual }) => {
        if (err)
            app.log.error({ err }, 'unexpected error; shutting down');
        app.log.info({ signal: signal ?? (manual ? 'primary gone' : 'error') }, 'shutting down');
        app.beginShutdown();
        let timer;
        const deadline = new Promise((resolve) => {
            timer = setTimeout(() => resolve('deadline'), config.shutdownTimeoutMs);
        });
        const closed = app.close().then(() => 'closed');
        const first = await Promise.race([closed, deadline]);
        clearTimeout(timer);
        if (first === 'deadline') {
            const released = await app.releaseTurnLeases().catch(() => 0);
            app.log.warn({ released, timeoutMs: config.shutdownTimeoutMs }, 'shutdown deadline passed: unfinished turns left to other processes (turn leases released)');
            await database.close().catch(() => { });
            process.exit(1);
        }
        await database.close();
    });
    // A worker whose primary is gone (killed) has no one to restart it or to forward signals: stop.
    if (worker)
        process.once('disconnect', () => grace.close());
    const address = await app.listen({ port: config.port, host: config.host });
    const seconds = ((performance.now() - startedAt) / 1000).toFixed(2);
    const llmDescription = app.llmDescription ?? 'offline engine';
    if (worker) {
        const ready = { type: 'icmp:ready', address, llmDescription, databaseKind: database.kind };
        process.send?.(ready);
        return;
    }
    console.log(startBanner({
        config,
        address,
        seconds,
        databaseKind: database.kind,
        llmDescription,
        masterKey,
        processes: 1,
    }));
}
main().catch((error) => {
    console.error('ICMP failed to start:', error instanceof Error ? error.message : error);
    process.exit(1);
});
//# sourceMappingURL=main.js.map