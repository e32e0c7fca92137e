import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { rowsOf } from '../../src/db/raw-rows.js';
import { openTestDatabase } from '../helpers/build-test-app.js';

/**
 * Every foreign key column must lead an index: a delete of the referenced row (cascade, set null or
 * the NO ACTION check) and the filters on it otherwise scan the whole referencing table — at a
 * million messages, a conversation delete took 1.3 s and a stage delete 77 s (issue 17). Read from
 * the catalog of the migrated database, on PGlite and on PostgreSQL.
 */
const UNINDEXED_FOREIGN_KEYS = sql`
  SELECT c.conrelid::regclass::text AS table_name, c.conname AS constraint_name,
         (SELECT string_agg(a.attname, ', ' ORDER BY k.ord)
            FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS columns
    FROM pg_constraint c
   WHERE c.contype = 'f'
     AND c.connamespace = 'public'::regnamespace
     AND NOT EXISTS (
       -- an index whose first n columns are the key's n columns, in any order
       SELECT 1 FROM pg_index i
        WHERE i.indrelid = c.conrelid AND i.indisvalid
          AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey)
   ORDER BY 1, 2`;

describe('foreign key indexes', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: null, poolSize: 2 });
  });
  afterAll(async () => {
    await database?.close();
  });

  it('every foreign key column leads an index', async () => {
    const missing = rowsOf(await database.db.execute(UNINDEXED_FOREIGN_KEYS));
    expect(missing).toEqual([]);
  });

  it('the check finds a foreign key without an index, and accepts one whose index leads with it', async () => {
    await database.db.execute(sql`CREATE TABLE fk_probe (
      probe_id uuid PRIMARY KEY,
      message_id uuid REFERENCES messages (message_id) ON DELETE CASCADE,
      stage_id uuid REFERENCES stages (stage_id) ON DELETE SET NULL)`);
    try {
      await database.db.execute(sql`CREATE INDEX fk_probe_stage_idx ON fk_probe (stage_id, probe_id)`);
      // An index where the key is not the leading column does not count.
      await database.db.execute(sql`CREATE INDEX fk_probe_other_idx ON fk_probe (probe_id, message_id)`);
      const missing = rowsOf(await database.db.execute(UNINDEXED_FOREIGN_KEYS));
      expect(missing).toEqual([
        {
          table_name: 'fk_probe',
          constraint_name: expect.stringContaining('message_id'),
          columns: 'message_id',
        },
      ]);
    } finally {
      await database.db.execute(sql`DROP TABLE fk_probe`);
    }
  });
});
