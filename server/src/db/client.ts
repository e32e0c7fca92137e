import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { tracing } from '../lib/tracing.js';
import { withFields } from '../lib/with-fields.js';
import { PendingMigrationsError, pendingMigrations } from './migrations.js';
import * as schema from './schema.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** The callback argument of `db.transaction`: same query API, bound to one transaction. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly db: Db;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** SQL statements sent since start (BEGIN/COMMIT included); exported as a metric and used by the benchmark. */
  statementCount(): number;
  /** The pg pool's connections (a metric); `null` on PGlite, which has no pool. */
  poolStats(): { total: number; idle: number; waiting: number } | null;
  /** The migrations this open applied (their file names), oldest first; empty when it was current. */
  readonly migrationsApplied: readonly string[];
}

export const MIGRATIONS_FOLDER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../drizzle');
// Serialises migrations when several server processes start against one PostgreSQL.
const MIGRATION_LOCK_ID = 7_271_001;

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  /** PGlite directory; `null` keeps the embedded database in memory. */
  dataDir: string | null;
  poolSize?: number;
  /**
   * Apply pending migrations (default). `false`: only check, and refuse (PendingMigrationsError)
   * when any is pending — MIGRATE_ON_START=false, or a cluster worker whose primary migrated.
   */
  migrate?: boolean;
  /** Another migrations folder (tests applying an older release's migrations). */
  migrationsFolder?: string;
  /**
   * In-memory PGlite only: start from this `dumpDataDir` tarball instead of an empty database (the
   * tests load one with every migration applied; whatever is still pending is applied as usual).
   */
  pgliteDump?: Blob;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const migrations = {
    migrate: options.migrate ?? true,
    folder: options.migrationsFolder ?? MIGRATIONS_FOLDER,
  };
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, options.poolSize ?? 20, migrations)
    : openPglite(options.dataDir, migrations, options.pgliteDump);
}

interface MigrationOptions {
  migrate: boolean;
  folder: string;
}

async function openPglite(
  dataDir: string | null,
  migrations: MigrationOptions,
  dump: Blob | undefined,
): Promise<Database> {
  // Loaded only when used: a PostgreSQL deployment never pays for the embedded engine.
  const [{ PGlite }, { pg_trgm }, { btree_gin }, { drizzle: drizzlePglite }, { migrate: migratePglite }] =
    await Promise.all([
      import('@electric-sql/pglite'),
      import('@electric-sql/pglite/contrib/pg_trgm'),
      import('@electric-sql/pglite/contrib/btree_gin'),
      import('drizzle-orm/pglite'),
      import('drizzle-orm/pglite/migrator'),
    ]);
  // pg_trgm and btree_gin back the message search index (migration 0009 creates the extensions).
  const extensions = { pg_trgm, btree_gin };
  let client: PGlite;
  if (dataDir) {
    const dir = path.resolve(dataDir, 'pglite');
    // Owner only: the data directory and the database in it are nobody else's to read (an existing
    // directory from an older version is tightened too).
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(path.resolve(dataDir), 0o700);
    chmodSync(dir, 0o700);
    client = new PGlite(dir, { extensions });
  } else {
    client = new PGlite({ extensions, ...(dump ? { loadDataDir: dump } : {}) });
  }
  await client.waitReady;
  const pending = await pendingMigrations(drizzlePglite(client), migrations.folder);
  if (pending.length && !migrations.migrate) {
    await client.close();
    throw new PendingMigrationsError(pending);
  }
  if (pending.length) await migratePglite(drizzlePglite(client), { migrationsFolder: migrations.folder });
  const counter = countPgliteStatements(client);
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    kind: 'pglite',
    db,
    ping: async () => {
      await client.query('select 1');
    },
    close: async () => {
      if (!client.closed) await client.close();
    },
    statementCount: () => counter.count,
    poolStats: () => null,
    migrationsApplied: pending,
  };
}

/** The statement text of a pg/PGlite query call (a string or a `{text}` config). */
function statementOf(args: unknown[]): string {
  const first = args[0];
  return typeof first === 'string' ? first : ((first as { text?: string } | undefined)?.text ?? '');
}

/**
 * A span per statement when tracing is on. Calls with a callback are pg-pool's own (`pool.query`
 * running on a checked-out client), already traced by the `pool.query` wrapper in the caller's context.
 */
function traced<F extends (...args: never[]) => unknown>(query: F): F {
  return ((...args: Parameters<F>) => {
    const trace = tracing();
    if (!trace.enabled || typeof args[args.length - 1] === 'function') return query(...args);
    return trace.sql(statementOf(args), () => query(...args));
  }) as F;
}

async function openPostgres(url: string, poolSize: number, migrations: MigrationOptions): Promise<Database> {
  // JIT off: our statements are short index lookups; at a million messages the JIT compile was up to
  // 80 % of an analytics query's time (issue 17) and never paid for itself.
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 5000,
    options: '-c jit=off',
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  // Before the first connection (the migration's), so every connection of the pool is wrapped.
  const counter = { count: 0 };
  const prepared = preparedStatementNames();
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    const tracedQuery = traced(query);
    (client as { query: unknown }).query = (...args: unknown[]) => {
      counter.count++;
      const named = prepared.name(args);
      if (named === args) return tracedQuery(...args);
      const last = named.length - 1;
      if (typeof named[last] === 'function') {
        const callback = named[last] as (error: unknown, ...rest: unknown[]) => void;
        named[last] = (error: unknown, ...rest: unknown[]) => {
          prepared.failed(named[0], error);
          callback(error, ...rest);
        };
        return tracedQuery(...named);
      }
      const result = tracedQuery(...named) as Promise<unknown>;
      result.then(undefined, (error: unknown) => prepared.failed(named[0], error));
      return result;
    };
  });
  let pending: string[];
  try {
    const lockClient = await pool.connect();
    try {
      await lockClient.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
      pending = await pendingMigrations(drizzlePg(lockClient), migrations.folder);
      if (pending.length && !migrations.migrate) throw new PendingMigrationsError(pending);
      if (pending.length) await migratePg(drizzlePg(lockClient), { migrationsFolder: migrations.folder });
    } finally {
      await lockClient.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => {});
      lockClient.release();
    }
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  // Statements outside a transaction go through pool.query: traced here, where the caller's context is.
  (pool as { query: unknown }).query = traced(pool.query.bind(pool) as (...args: unknown[]) => unknown);
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  return {
    kind: 'postgres',
    db,
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: async () => {
      await pool.end();
    },
    statementCount: () => counter.count,
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    migrationsApplied: pending,
  };
}

/** How often a statement text must be seen before it is prepared under a name. */
const PREPARE_AFTER = 2;
/** At most this many named statements per process (each connection prepares those it runs). */
const MAX_PREPARED = 200;

/**
 * The hot path's statements run as named prepared statements: PostgreSQL parses and plans an unnamed
 * statement on every execution, and the pipeline's few large statements (the turn's one-statement
 * write, the lease) cost more to plan than to run. A parametrised statement whose text was seen
 * PREPARE_AFTER times gets a name derived from its text (pg prepares it once per connection, then
 * only binds and executes); the set is bounded, so statements with generated text (IN lists of
 * varying length) stay unnamed once it is full. Not used through PgBouncer in transaction mode
 * (docs/operations.md), where a named statement may not exist on the next server connection.
 */
function preparedStatementNames() {
  const seen = new Map<string, number>();
  const names = new Map<string, string>();
  return {
    name(args: unknown[]): unknown[] {
      const [first, values] = args;
      if (!Array.isArray(values) || values.length === 0) return args;
      const config =
        typeof first === 'string' ? { text: first } : (first as { text?: string; name?: string });
      if (!config || typeof config.text !== 'string' || config.name) return args;
      let name = names.get(config.text);
      if (name === '') return args; // its prepared form went stale: unnamed from now on
      if (!name) {
        if (names.size >= MAX_PREPARED) return args;
        const count = (seen.get(config.text) ?? 0) + 1;
        if (count < PREPARE_AFTER) {
          if (seen.size < 10_000) seen.set(config.text, count);
          return args;
        }
        seen.delete(config.text);
        name = `icmp_${createHash('sha1').update(config.text).digest('hex').slice(0, 20)}`;
        names.set(config.text, name);
      }
      return [withFields(config, { name }), ...args.slice(1)];
    },
    /**
     * A table a prepared statement reads changed shape under it (a migration of a rolling deploy):
     * PostgreSQL refuses the stale statement, and its text runs unnamed from then on.
     */
    failed(config: unknown, error: unknown) {
      const { text } = config as { text: string };
      const { code, message } = (error ?? {}) as { code?: string; message?: string };
      if (code === '0A000' && /cached plan must not change result type/.test(message ?? ''))
        names.set(text, '');
    },
  };
}

/** Counts statements on PGlite, including the BEGIN and COMMIT of each transaction. */
function countPgliteStatements(client: PGlite) {
  const counter = { count: 0 };
  const query = client.query.bind(client);
  const transaction = client.transaction.bind(client);
  const tracedQuery = traced(query as (...args: unknown[]) => unknown);
  client.query = ((...args: Parameters<PGlite['query']>) => {
    counter.count++;
    return tracedQuery(...args);
  }) as PGlite['query'];
  client.transaction = ((callback: Parameters<PGlite['transaction']>[0]) => {
    counter.count += 2;
    return transaction(async (tx) => {
      const txQuery = traced(tx.query.bind(tx) as (...args: unknown[]) => unknown);
      tx.query = ((...args: Parameters<typeof tx.query>) => {
        counter.count++;
        return txQuery(...args);
      }) as typeof tx.query;
      return callback(tx);
    });
  }) as PGlite['transaction'];
  return counter;
}
