import cluster, { type Worker } from 'node:cluster';
import type { Config } from '../config.js';
import { openDatabase } from '../db/client.js';
import { PendingMigrationsError } from '../db/migrations.js';
import { resolveSecretsKey } from '../lib/secret-box.js';
import { resolveMasterKey } from '../master-key.js';
import { serveClusterMetrics } from '../plugins/metrics.js';
import { startBanner } from '../start-banner.js';

/** What a worker tells the primary once it listens. */
export interface WorkerReady {
  type: 'icmp:ready';
  address: string;
  llmDescription: string;
  databaseKind: 'pglite' | 'postgres';
}

const isReady = (message: unknown): message is WorkerReady =>
  typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'icmp:ready';

/** Restart delay after the n-th unexpected exit within RESTART_WINDOW_MS: 0.5 s doubling to 30 s. */
const RESTART_WINDOW_MS = 60_000;
const restartDelay = (recentExits: number) => Math.min(30_000, 500 * 2 ** Math.max(0, recentExits - 1));

/**
 * WEB_CONCURRENCY=N>1: this process serves nothing itself. It does once what must happen once —
 * master key and channel-secrets key resolved (generated and printed on a first start), migrations
 * applied — then forks N workers (node:cluster; they share the listening port), prints the banner when
 * all listen, restarts a worker that dies (with backoff), and on SIGTERM/SIGINT asks every worker to
 * shut down gracefully and exits when they have.
 */
export async function runPrimary(config: Config, options: { startedAt: number; exitConfig: number }) {
  const count = config.webConcurrency;
  const masterKey = resolveMasterKey(config);
  resolveSecretsKey(config.channelSecretsKey, config.dataDir);
  if (!config.redisUrl) {
    console.warn(
      `  WEB_CONCURRENCY=${count} without REDIS_URL: cache invalidation and live events go through PostgreSQL ` +
        'LISTEN/NOTIFY, but rate limits and sign-in failure budgets are counted per process. Set REDIS_URL to share them.',
    );
  }
  try {
    const database = await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      poolSize: 1,
      migrate: config.migrateOnStart,
    });
    await database.close();
  } catch (error) {
    if (error instanceof PendingMigrationsError) {
      console.error(`ICMP cannot start: ${error.message}`);
      process.exit(options.exitConfig);
    }
    throw error;
  }

  serveClusterMetrics();
  let stopping = false;
  let bannerShown = false;
  let exitCode = 0;
  const live = new Set<Worker>();
  const ready = new Set<Worker>();
  const recentExits: number[] = [];
  const restartTimers = new Set<NodeJS.Timeout>();

  const fork = () => {
    const worker = cluster.fork();
    live.add(worker);
    worker.on('message', (message: unknown) => {
      if (!isReady(message)) return;
      ready.add(worker);
      if (!bannerShown && ready.size === count) {
        bannerShown = true;
        const seconds = ((performance.now() - options.startedAt) / 1000).toFixed(2);
        console.log(
          startBanner({
            config,
            address: message.address,
            seconds,
            databaseKind: message.databaseKind,
            llmDescription: message.llmDescription,
            masterKey,
            processes: count,
          }),
        );
      }
    });
  };

  const stopAll = (code: number) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    for (const timer of restartTimers) clearTimeout(timer);
    restartTimers.clear();
    if (!live.size) process.exit(exitCode);
    for (const worker of live) worker.process.kill('SIGTERM');
    // Workers honour SHUTDOWN_TIMEOUT_MS themselves; this only catches one that hangs past it.
    setTimeout(() => {
      for (const worker of live) worker.process.kill('SIGKILL');
    }, config.shutdownTimeoutMs + 15_000).unref();
  };

  cluster.on('exit', (worker, code, signal) => {
    live.delete(worker);
    const wasReady = ready.delete(worker);
    if (stopping) {
      // Ended by the SIGTERM sent above: it was still starting (its handler shuts down and exits by
      // itself), so it served nothing and left nothing unfinished that a lease does not cover.
      const stoppedWhileStarting = signal === 'SIGTERM';
      if (code !== 0 && !stoppedWhileStarting) exitCode = exitCode || 1;
      if (!live.size) process.exit(exitCode);
      return;
    }
    if (code === options.exitConfig) {
      console.error(`worker ${worker.process.pid} refused to start (configuration); stopping`);
      stopAll(options.exitConfig);
      return;
    }
    if (!wasReady && !bannerShown) {
      console.error(`worker ${worker.process.pid} failed to start (exit ${code ?? signal}); stopping`);
      stopAll(1);
      return;
    }
    const now = Date.now();
    recentExits.push(now);
    while (recentExits.length && (recentExits[0] ?? now) < now - RESTART_WINDOW_MS) recentExits.shift();
    const delay = restartDelay(recentExits.length);
    console.error(
      `worker ${worker.process.pid} exited unexpectedly (${signal ?? `code ${code}`}); starting another in ${delay} ms`,
    );
    const timer = setTimeout(() => {
      restartTimers.delete(timer);
      if (!stopping) fork();
    }, delay);
    restartTimers.add(timer);
  });

  process.on('SIGTERM', () => stopAll(0));
  process.on('SIGINT', () => stopAll(0));
  for (let i = 0; i < count; i++) fork();
}
