// `npm run db:indexes:concurrently --workspace server` (DATABASE_URL=postgres://…): builds, with
// CREATE INDEX CONCURRENTLY, every index the committed migrations create with `CREATE INDEX IF NOT
// EXISTS` on a table that already exists, before the new version starts.
//
// Why: drizzle's migrator runs each migration in a transaction, where CONCURRENTLY is not allowed, so a
// plain CREATE INDEX in a migration holds a SHARE lock on its table (writes wait) for as long as the
// build takes — minutes on a table of millions of messages. Run this first, against the live database;
// writes go on meanwhile. The migration's own `IF NOT EXISTS` then finds each index and is a no-op.
// An index left INVALID by an interrupted concurrent build is dropped (concurrently) and built again.
// Idempotent: run it as often as you like. PostgreSQL only (PGlite is one process; nothing to wait for).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { MIGRATIONS_FOLDER } from '../src/db/client.js';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL (PostgreSQL) is required');

const CREATE_INDEX = /^CREATE (UNIQUE )?INDEX IF NOT EXISTS "([^"]+)" ON "([^"]+)"(.*)$/s;
const CREATE_EXTENSION = /^CREATE EXTENSION IF NOT EXISTS [a-z_]+$/;

const statements = readdirSync(MIGRATIONS_FOLDER)
  .filter((file) => file.endsWith('.sql'))
  .sort()
  .flatMap((file) =>
    readFileSync(path.join(MIGRATIONS_FOLDER, file), 'utf8')
      .split('--> statement-breakpoint')
      .map((statement) =>
        statement
          .split('\n')
          .filter((line) => !line.startsWith('--'))
          .join('\n')
          .trim()
          .replace(/;$/, ''),
      ),
  );

const client = new pg.Client({ connectionString: databaseUrl });
await client.connect();
try {
  // No statement timeout for the builds; a lock wait longer than a minute is given up (run again later).
  await client.query("SET statement_timeout = 0; SET lock_timeout = '60s'");
  for (const statement of statements) {
    if (CREATE_EXTENSION.test(statement)) {
      await client.query(statement);
      continue;
    }
    const match = CREATE_INDEX.exec(statement);
    if (!match) continue;
    const [, unique = '', name, table, rest] = match;
    const exists = await client.query(
      `SELECT to_regclass($1) IS NOT NULL AS table_exists,
              (SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass($2)) AS index_valid`,
      [`public."${table}"`, `public."${name}"`],
    );
    const { table_exists: tableExists, index_valid: indexValid } = exists.rows[0];
    if (!tableExists) continue; // a later migration creates the table, and its index with it
    if (indexValid === true) continue;
    if (indexValid === false) {
      console.log(`dropping invalid index ${name}`);
      await client.query(`DROP INDEX CONCURRENTLY IF EXISTS "${name}"`);
    }
    const started = Date.now();
    try {
      await client.query(`CREATE ${unique}INDEX CONCURRENTLY IF NOT EXISTS "${name}" ON "${table}"${rest}`);
    } catch (err) {
      // A column its own migration adds (rollup_xid, 0025/0026): that migration builds the index,
      // which holds no row then (partial on NOT NULL), though the build still reads the table once.
      if ((err as { code?: string }).code !== '42703') throw err;
      console.log(`skipped ${name} on ${table}: its column comes with a later migration, which builds it`);
      continue;
    }
    console.log(`built ${name} on ${table} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  console.log('done: the migrations will find these indexes and skip them');
} finally {
  await client.end();
}
