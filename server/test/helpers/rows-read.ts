import { sql } from 'drizzle-orm';
import type { Db, Tx } from '../../src/db/client.js';
import { rowsOf } from '../../src/db/raw-rows.js';

class RollBack extends Error {}

/**
 * Runs `work` in a transaction and counts the rows it read from `tables` (rows of sequential scans and
 * heap fetches of index scans), as PostgreSQL counted them for this backend. The counters are read
 * before and after, inside the transaction: a backend's counters also hold its earlier transactions'
 * until it flushes them (when idle, at most once a second), and it does not while a transaction is open.
 * `rollBack`: the transaction is rolled back, so the same rows can be read again.
 */
export async function rowsReadBy<T>(
  db: Db,
  tables: string[],
  work: (tx: Tx) => Promise<T>,
  options: { rollBack?: boolean } = {},
): Promise<{ result: T; rows: number }> {
  const counted = async (tx: Tx) => {
    const [row] = rowsOf(
      await tx.execute(sql`
        SELECT coalesce(sum(coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)), 0) AS n
          FROM pg_stat_xact_user_tables
         WHERE relname IN (SELECT jsonb_array_elements_text(${JSON.stringify(tables)}::jsonb))`),
    );
    return Number(row?.n ?? 0);
  };
  let outcome: { result: T; rows: number } | undefined;
  await db
    .transaction(async (tx) => {
      const before = await counted(tx);
      const result = await work(tx);
      outcome = { result, rows: (await counted(tx)) - before };
      if (options.rollBack) throw new RollBack();
    })
    .catch((error: unknown) => {
      if (!(error instanceof RollBack)) throw error;
    });
  if (!outcome) throw new Error('rowsReadBy: the transaction ended without an outcome');
  return outcome;
}
