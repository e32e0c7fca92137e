import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { tracing } from '../lib/tracing.js';
import { PendingMigrationsError, pendingMigrations } from './migrations.js';
import * as schema from './schema.js';
export const MIGRATIONS_FOLDER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../drizzle');
// Serialises migrations when several server processes start against one PostgreSQL.
const MIGRATION_LOCK_ID = 7_271_001;
export async function openDatabase(options) {
    const migrations = {
        migrate: options.migrate ?? true,
        folder: options.migrationsFolder ?? MIGRATIONS_FOLDER,
    };
    return options.databaseUrl
        ? openPostgres(options.databaseUrl, options.poolSize ?? 20, migrations)
        : openPglite(options.dataDir, migrations);
}
async function openPglite(dataDir, migrations) {
    // Loaded only when used: a PostgreSQL deployment never pays for the embedded engine.
    const [{ PGlite }, { pg_trgm }, { btree_gin }, { drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
        import('@electric-sql/pglite'),
        import('@electric-sql/pglite/contrib/pg_trgm'),
        import('@electric-sql/pglite/contrib/btree_gin'),
        import('drizzle-orm/pglite'),
        import('drizzle-orm/pglite/migrator'),
    ]);
    // pg_trgm and btree_gin back the message search index (migration 0009 creates the extensions).
    const extensions = { pg_trgm, btree_gin };
    let client;
    if (dataDir) {
        const dir = path.resolve(dataDir, 'pglite');
        // Owner only: the data directory and the database in it are nobody else's to read (an existing
        // directory from an older version is tightened too).
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        chmodSync(path.resolve(dataDir), 0o700);
        chmodSync(dir, 0o700);
        client = new PGlite(dir, { extensions });
    }
    else {
        client = new PGlite({ extensions });
    }
    await client.waitReady;
    const pending = await pendingMigrations(drizzlePglite(client), migrations.folder);
    if (pending.length && !migrations.migrate) {
        await client.close();
        throw new PendingMigrationsError(pending);
    }
    if (pending.length)
        await migratePglite(drizzlePglite(client), { migrationsFolder: migrations.folder });
    const counter = countPgliteStatements(client);
    const db = drizzlePglite(client, { schema });
    return {
        kind: 'pglite',
        db,
        ping: async () => {
            await client.query('select 1');
        },
        close: async () => {
            if (!client.closed)
                await client.close();
        },
        statementCount: () => counter.count,
        poolStats: () => null,
        migrationsApplied: pending,
    };
}
/** The statement text of a pg/PGlite query call (a string or a `{text}` config). */
function statementOf(args) {
    const first = args[0];
    return typeof first === 'string' ? first : (first?.text ?? '');
}
/**
 * A span per statement when tracing is on. Calls with a callback are pg-pool's own (`pool.query`
 * running on a checked-out client), already traced by the `pool.query` wrapper in the caller's context.
 */
function traced(query) {
    return ((...args) => {
        const trace = tracing();
        if (!trace.enabled || typeof args[args.length - 1] === 'function')
            return query(...args);
        return trace.sql(statementOf(args), () => query(...args));
    });
}
async function openPostgres(url, poolSize, migrations) {
    // JIT off: our statements are short index lookups; at a million messages the JIT compile was up to
    // 80 % of an analytics query's time (issue 17) and never paid for itself.
    const pool = new pg.Pool({
        connectionString: url,
        max: poolSize,
        connectionTimeoutMillis: 5000,
        options: '-c jit=off',
    });
    // An idle client losing its server must not crash the process; the next query reports it.
    pool.on('error', () => { });
    let pending;
    try {
        const lockClient = await pool.connect();
        try {
            await lockClient.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
            pending = await pendingMigrations(drizzlePg(lockClient), migrations.folder);
            if (pending.length && !migrations.migrate)
                throw new PendingMigrationsError(pending);
            if (pending.length)
                await migratePg(drizzlePg(lockClient), { migrationsFolder: migrations.folder });
        }
        finally {
            await lockClient.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => { });
            lockClient.release();
        }
    }
    catch (error) {
        await pool.end().catch(() => { });
        throw error;
    }
    const counter = { count: 0 };
    pool.on('connect', (client) => {
        const query = client.query.bind(client);
        const tracedQuery = traced(query);
        client.query = (...args) => {
            counter.count++;
            return tracedQuery(...args);
        };
    });
    // Statements outside a transaction go through pool.query: traced here, where the caller's context is.
    pool.query = traced(pool.query.bind(pool));
    const db = drizzlePg(pool, { schema });
    return {
        kind: 'postgres',
        db,
        ping: async () => {
            await db.execute(sql `select 1`);
        },
        close: async () => {
            await pool.end();
        },
        statementCount: () => counter.count,
        poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
        migrationsApplied: pending,
    };
}
/** Counts statements on PGlite, including the BEGIN and COMMIT of each transaction. */
function countPgliteStatements(client) {
    const counter = { count: 0 };
    const query = client.query.bind(client);
    const transaction = client.transaction.bind(client);
    const tracedQuery = traced(query);
    client.query = ((...args) => {
        counter.count++;
        return tracedQuery(...args);
    });
    client.transaction = ((callback) => {
        counter.count += 2;
        return transaction(async (tx) => {
            const txQuery = traced(tx.query.bind(tx));
            tx.query = ((...args) => {
                counter.count++;
                return txQuery(...args);
            });
            return callback(tx);
        });
    });
    return counter;
}
//# sourceMappingURL=client.js.map