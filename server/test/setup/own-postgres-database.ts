import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';

/**
 * On PostgreSQL, every test file gets a database of its own, made next to the one DATABASE_URL
 * names and dropped after the file. Files run in parallel, and each one's background workers (the
 * reply outbox, queued turns) claim due work from the whole database: in a shared one, a worker of
 * one file would send another file's replies to its own fake Graph API, and that file would wait
 * for them in vain. Processes a file spawns inherit the changed DATABASE_URL and share its database.
 */
// The URL the run was given, kept aside: a worker's files share its process (vitest.config.ts: no
// isolation), so by the next file DATABASE_URL names the previous file's database, and naming each
// file's after it would grow the names past PostgreSQL's 63 characters within a few files.
const shared = process.env.ICMP_TEST_SHARED_DATABASE_URL ?? process.env.DATABASE_URL;
if (shared) {
  process.env.ICMP_TEST_SHARED_DATABASE_URL = shared;
  const url = new URL(shared);
  const name = `${url.pathname.slice(1)}_f${randomBytes(4).toString('hex')}`;
  const admin = new URL(shared);
  admin.pathname = '/postgres';
  const run = async (statement: string) => {
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE "${name}"`);
  url.pathname = `/${name}`;
  process.env.DATABASE_URL = url.toString();
  afterAll(async () => {
    await run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
}
