import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/client.js';
import { rowsOf } from '../../src/db/raw-rows.js';

/**
 * PostgreSQL only: repeated parametrised statements run as named prepared statements (db/client.ts),
 * and one whose table changed shape under it falls back to running unnamed.
 */
const postgres = process.env.DATABASE_URL;

describe.runIf(Boolean(postgres))('named prepared statements on PostgreSQL', () => {
  let database: Database;
  const table = `prepared_test_${process.pid}_${Date.now()}`;

  beforeAll(async () => {
    // One connection, so pg_prepared_statements (per session) shows what this pool prepared.
    database = await openDatabase({ databaseUrl: postgres, dataDir: null, poolSize: 1 });
    await database.db.execute(sql.raw(`create table ${table} (a int)`));
    await database.db.execute(sql.raw(`insert into ${table} values (1), (2)`));
  });
  afterAll(async () => {
    await database.db.execute(sql.raw(`drop table if exists ${table}`));
    await database.close();
  });

  const prepared = async () =>
    rowsOf(await database.db.execute(sql`select statement from pg_prepared_statements`)).map((row) =>
      String(row.statement),
    );
  const select = (a: number) => database.db.execute(sql`select * from ${sql.raw(table)} where a = ${a}`);

  it('prepares a statement the second time its text runs, and answers the same', async () => {
    expect((await prepared()).some((text) => text.includes(table))).toBe(false);
    expect(rowsOf(await select(1))).toEqual([{ a: 1 }]);
    expect((await prepared()).some((text) => text.includes(table))).toBe(false);
    expect(rowsOf(await select(2))).toEqual([{ a: 2 }]);
    expect((await prepared()).some((text) => text.includes(table))).toBe(true);
    expect(rowsOf(await select(1))).toEqual([{ a: 1 }]);
  });

  it('runs a statement unnamed once its table changed shape (a migration under a running process)', async () => {
    await database.db.execute(sql.raw(`alter table ${table} add column b int default 7`));
    // PostgreSQL refuses the stale prepared statement once …
    await expect(select(1)).rejects.toMatchObject({
      cause: { code: '0A000', message: expect.stringMatching(/cached plan must not change result type/) },
    });
    // … and from then on the text runs unnamed, with the new shape.
    expect(rowsOf(await select(1))).toEqual([{ a: 1, b: 7 }]);
    expect(rowsOf(await select(2))).toEqual([{ a: 2, b: 7 }]);
  });
});
