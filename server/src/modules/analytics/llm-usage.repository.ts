import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { rowsOf, toDate } from '../../db/raw-rows.js';

export interface MonthlyLlmUsage {
  spentUsd: number;
  calls: number;
  monthStart: Date;
  nextMonthStart: Date;
}

/**
 * The business's recorded LLM cost and calls this calendar month (UTC): what `llm_budget_usd` is
 * measured against. Read from the daily rollup (analytics_daily_llm, simulator chats included): the
 * triggers keep today's rows exact within each writing transaction, so the month is the sum of its
 * days' rows — each day's key striped over up to 16 slots (migration 0017; a slot alone may be
 * negative), so at most a few hundred rows per model whatever the volume, instead of a month of
 * llm_calls on every turn.
 */
export async function monthlyLlmUsage(db: DbOrTx, businessId: string): Promise<MonthlyLlmUsage> {
  const [row] = rowsOf(
    await db.execute(sql`
    WITH month AS (
      SELECT date_trunc('month', now() AT TIME ZONE 'UTC') AS start
    )
    SELECT coalesce(sum(r.cost_usd), 0) AS spent,
           coalesce(sum(r.calls), 0) AS calls,
           month.start AT TIME ZONE 'UTC' AS month_start,
           (month.start + interval '1 month') AT TIME ZONE 'UTC' AS next_month_start
      FROM month
      LEFT JOIN analytics_daily_llm r ON r.business_id = ${businessId}::uuid AND r.day >= month.start::date
     GROUP BY month.start`),
  );
  return {
    spentUsd: Number(row?.spent ?? 0),
    calls: Number(row?.calls ?? 0),
    monthStart: toDate(row?.month_start),
    nextMonthStart: toDate(row?.next_month_start),
  };
}
