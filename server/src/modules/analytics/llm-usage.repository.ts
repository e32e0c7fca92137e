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
 * month is the sum of its days' rows — each day's key striped over up to 17 slots (migrations 0017,
 * 0025; a slot alone may be negative), so at most a few hundred rows per model whatever the volume,
 * instead of a month of llm_calls on every turn — plus the calls committed since the last fold
 * (migration 0025), a few seconds' worth found by `llm_calls_rollup_xid_idx`. Both in one snapshot,
 * in which a fold's rollup rows and its stored snapshot committed together: no call twice or never.
 */
export async function monthlyLlmUsage(db: DbOrTx, businessId: string): Promise<MonthlyLlmUsage> {
  const [row] = rowsOf(
    await db.execute(sql`
    WITH month AS (
      SELECT date_trunc('month', now() AT TIME ZONE 'UTC') AS start
    ), unfolded AS (
      SELECT coalesce(sum(l.cost_usd::numeric), 0) AS spent, count(*) AS calls
        FROM analytics_fold_state f, month, llm_calls l
       WHERE f.name = 'llm_calls'
         AND l.rollup_xid >= pg_snapshot_xmin(f.folded) AND NOT analytics_llm_is_folded(l.rollup_xid, f.folded)
         AND l.business_id = ${businessId}::uuid AND l.created_at >= month.start AT TIME ZONE 'UTC'
    )
    SELECT coalesce(sum(r.cost_usd), 0) + (SELECT spent FROM unfolded) AS spent,
           coalesce(sum(r.calls), 0) + (SELECT calls FROM unfolded) AS calls,
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
