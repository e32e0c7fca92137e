import { sql } from 'drizzle-orm';
import { rowsOf, toDate } from '../../db/raw-rows.js';
/** The business's recorded LLM cost and calls this calendar month (UTC): what `llm_budget_usd` is measured against. */
export async function monthlyLlmUsage(db, businessId) {
    const [row] = rowsOf(await db.execute(sql `
    WITH month AS (
      SELECT date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS start
    )
    SELECT coalesce(sum(c.cost_usd), 0) AS spent,
           count(c.llm_call_id) AS calls,
           month.start AS month_start,
           month.start + interval '1 month' AS next_month_start
      FROM month
      LEFT JOIN llm_calls c ON c.business_id = ${businessId} AND c.created_at >= month.start
     GROUP BY month.start`));
    return {
        spentUsd: Number(row?.spent ?? 0),
        calls: Number(row?.calls ?? 0),
        monthStart: toDate(row?.month_start),
        nextMonthStart: toDate(row?.next_month_start),
    };
}
//# sourceMappingURL=llm-usage.repository.js.map