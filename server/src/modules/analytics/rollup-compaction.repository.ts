import { type SQL, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { rowsOf } from '../../db/raw-rows.js';

/** A daily rollup table: its key columns (without `slot`) and how each value column folds. */
interface RollupTable {
  name: string;
  key: string[];
  /** Column → how rows fold (`sum` adds, `hist` adds histograms bucket by bucket). */
  values: Record<string, 'sum' | 'hist'>;
}

const ROLLUP_TABLES: RollupTable[] = [
  {
    name: 'analytics_daily',
    key: ['business_id', 'day', 'simulator'],
    values: {
      new_conversations: 'sum',
      messages: 'sum',
      user_messages: 'sum',
      assistant_messages: 'sum',
      agent_messages: 'sum',
      fallback_replies: 'sum',
      ai_stopped_messages: 'sum',
    },
  },
  {
    name: 'analytics_daily_llm',
    key: ['business_id', 'day', 'simulator', 'call_type', 'model'],
    values: {
      calls: 'sum',
      errors: 'sum',
      tokens_in: 'sum',
      tokens_out: 'sum',
      cost_usd: 'sum',
      latency_hist: 'hist',
    },
  },
  {
    name: 'analytics_daily_stage',
    key: ['business_id', 'day', 'simulator', 'stage_id'],
    values: { transitions_in: 'sum', transitions_out: 'sum' },
  },
];

const list = (names: string[], prefix?: string) =>
  sql.raw(names.map((n) => (prefix ? `${prefix}.${n}` : n)).join(', '));

/**
 * One batch of one table: up to `batch` rows of days before `before` in a slot other than 0 are
 * deleted and their sums added to the key's slot-0 row, in one statement (the sum over a key's slots,
 * all a reader sees, is unchanged at every instant). Rows a writer holds are skipped, not waited for.
 */
function foldStatement(table: RollupTable, before: string, batch: number): SQL {
  const t = sql.identifier(table.name);
  const columns = Object.keys(table.values);
  const folded = columns.map((c) =>
    table.values[c] === 'hist' ? `analytics_hist_sum(moved.${c})` : `sum(moved.${c})`,
  );
  const added = columns.map((c) =>
    table.values[c] === 'hist'
      ? `${c} = analytics_hist_add(r.${c}, excluded.${c})`
      : `${c} = r.${c} + excluded.${c}`,
  );
  return sql`
    WITH moved AS (
      DELETE FROM ${t} d
       WHERE (${list([...table.key, 'slot'], 'd')}) IN (
               SELECT ${list([...table.key, 'slot'], 'x')} FROM ${t} x
                WHERE x.slot <> 0 AND x.day < ${before}::date
                ORDER BY x.day LIMIT ${batch}::int
                  FOR UPDATE SKIP LOCKED)
      RETURNING d.*
    ), folded AS (
      INSERT INTO ${t} AS r (${list([...table.key, 'slot', ...columns])})
      SELECT ${list(table.key, 'moved')}, 0, ${sql.raw(folded.join(', '))}
        FROM moved
       GROUP BY ${list(table.key, 'moved')}
      ON CONFLICT (${list([...table.key, 'slot'])}) DO UPDATE SET ${sql.raw(added.join(', '))}
      RETURNING 1
    )
    SELECT count(*) AS n FROM moved`;
}

/**
 * Folds the slots of every day before `before` (YYYY-MM-DD) into slot 0, table by table in batches,
 * each batch its own short transaction that gives up (lock_timeout) rather than wait on a writer's
 * slot-0 row: a writer never waits on this for long, nor deadlocks with it. Returns the rows folded.
 */
export async function foldRollupSlots(db: Db, before: string, batch = 2_000): Promise<number> {
  let total = 0;
  for (const table of ROLLUP_TABLES) {
    for (;;) {
      const moved = await db.transaction(async (tx) => {
        await tx.execute(sql`SELECT set_config('lock_timeout', '200ms', true)`);
        const [row] = rowsOf(await tx.execute(foldStatement(table, before, batch)));
        return Number(row?.n ?? 0);
      });
      total += moved;
      if (moved < batch) break;
    }
  }
  return total;
}

/** The rows of days before `before` (YYYY-MM-DD) still to fold, in all the daily rollup tables. */
export async function unfoldedRollupRows(db: DbOrTx, before: string): Promise<number> {
  const counts = ROLLUP_TABLES.map(
    (table) =>
      sql`(SELECT count(*) FROM ${sql.identifier(table.name)} WHERE slot <> 0 AND day < ${before}::date)`,
  );
  const [row] = rowsOf(await db.execute(sql`SELECT ${sql.join(counts, sql` + `)} AS n`));
  return Number(row?.n ?? 0);
}

/** The tables whose rollup is folded after commit, and the SQL function (migrations 0025, 0026) of each. */
const FOLDS = {
  llm_calls: sql`analytics_fold_llm_calls`,
  messages: sql`analytics_fold_messages`,
} as const;
export type FoldedTable = keyof typeof FOLDS;
/** Every table folded after commit, in the order the periodic job folds them. */
export const FOLDED_TABLES = Object.keys(FOLDS) as FoldedTable[];

/**
 * Adds the rows of `table` committed since its last fold to its rollups (analytics_daily_llm for LLM
 * calls; analytics_daily and analytics_conversation_hour for messages, with the conversations' starts
 * and first messages queued since: migrations 0030, 0031), in one statement. `wait`: wait for a fold
 * under way in another connection (a reader that must see every row committed before it), else skip
 * at once and return null. Returns the rows added.
 */
export async function foldCommittedRows(
  db: DbOrTx,
  table: FoldedTable,
  { wait }: { wait: boolean },
): Promise<number | null> {
  const [row] = rowsOf(await db.execute(sql`SELECT ${FOLDS[table]}(${wait}) AS n`));
  return row?.n == null ? null : Number(row.n);
}
