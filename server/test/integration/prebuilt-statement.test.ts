import { DrizzleQueryError, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { prebuiltStatement } from '../../src/db/prebuilt-statement.js';
import { rowsOf } from '../../src/db/raw-rows.js';
import { openTestDatabase } from '../helpers/build-test-app.js';

/**
 * The hot path's prebuilt statements answer as drizzle's own `execute` does, on PGlite (through it)
 * and on PostgreSQL (sent to `pg` directly, with drizzle's config): the same rows, timestamps and
 * intervals as text, failures wrapped the same way, inside a transaction too.
 */
interface Values {
  label: string;
  amount: number | null;
  divisor: number;
}

const probe = prebuiltStatement<Values, 'plain' | 'extra'>(
  (p, variant) => sql`
    SELECT ${p('label')}::text AS label, ${p('amount')}::int AS amount, 10 / ${p('divisor')}::int AS ratio,
           timestamptz '2026-01-02 03:04:05.678+00' AS at, date '2026-01-02' AS day,
           interval '90 minutes' AS span, jsonb_build_object('k', ${p('label')}::text) AS doc
           ${variant === 'extra' ? sql`, 'extra'::text AS extra` : sql``}`,
);

const SAME_BY_DRIZZLE = (values: Values) => sql`
  SELECT ${values.label}::text AS label, ${values.amount}::int AS amount, 10 / ${values.divisor}::int AS ratio,
         timestamptz '2026-01-02 03:04:05.678+00' AS at, date '2026-01-02' AS day,
         interval '90 minutes' AS span, jsonb_build_object('k', ${values.label}::text) AS doc`;

describe('prebuilt statements', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: null, poolSize: 2 });
  });
  afterAll(async () => {
    await database?.close();
  });

  it('answer the rows drizzle answers, for each variant and value', async () => {
    const values = { label: 'a "quoted" ✓', amount: null, divisor: 4 };
    const rows = rowsOf(await probe(database.db, values, 'plain'));
    expect(rows).toEqual(rowsOf(await database.db.execute(SAME_BY_DRIZZLE(values))));
    expect(rows[0]).toMatchObject({
      label: 'a "quoted" ✓',
      amount: null,
      ratio: 2,
      doc: { k: 'a "quoted" ✓' },
    });
    expect(typeof rows[0]?.at).toBe('string');
    const extra = rowsOf(await probe(database.db, { label: 'b', amount: 7, divisor: 1 }, 'extra'));
    expect(extra[0]).toMatchObject({ label: 'b', amount: 7, ratio: 10, extra: 'extra' });
  });

  it('fail as drizzle does: its query error, with the database error as the cause', async () => {
    const failure = await probe(database.db, { label: 'c', amount: 1, divisor: 0 }, 'plain').catch((e) => e);
    expect(failure).toBeInstanceOf(DrizzleQueryError);
    expect((failure as DrizzleQueryError).cause).toMatchObject({ code: '22012' });
    // The statement still runs afterwards (the prepared name is not left broken).
    expect(rowsOf(await probe(database.db, { label: 'd', amount: 1, divisor: 5 }, 'plain'))[0]).toMatchObject(
      {
        ratio: 2,
      },
    );
  });

  it('run inside a transaction, on its connection', async () => {
    const inside = await database.db.transaction(async (tx) => {
      const [row] = rowsOf(await probe(tx, { label: 'tx', amount: 2, divisor: 2 }, 'plain'));
      const [xact] = rowsOf(await tx.execute(sql`SELECT txid_current_if_assigned() IS NULL AS fresh`));
      return { row, xact };
    });
    expect(inside.row).toMatchObject({ label: 'tx', ratio: 5 });
    expect(inside.xact).toEqual({ fresh: true });
  });
});
