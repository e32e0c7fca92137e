import type { Static } from '@sinclair/typebox';
import type { DbOrTx } from '../../db/client.js';
import { monthlyLlmUsage } from './llm-usage.repository.js';
import type { LlmUsage as LlmUsageSchema } from './llm-usage.schemas.js';

export type LlmUsage = Static<typeof LlmUsageSchema>;

/** This month's LLM spend of a business against its `llm_budget_usd` (null: no budget set). */
export async function llmUsageOf(
  db: DbOrTx,
  businessId: string,
  budgetUsd: number | null,
): Promise<LlmUsage> {
  const usage = await monthlyLlmUsage(db, businessId);
  const spent = roundUsd(usage.spentUsd);
  return {
    month: usage.monthStart.toISOString().slice(0, 7),
    spent_usd: spent,
    calls: usage.calls,
    budget_usd: budgetUsd,
    remaining_usd: budgetUsd === null ? null : roundUsd(Math.max(0, budgetUsd - usage.spentUsd)),
    at_budget: budgetUsd !== null && usage.spentUsd >= budgetUsd,
    resets_at: usage.nextMonthStart.toISOString(),
  };
}

/** Whether a business with this monthly budget has spent it (no query without a budget). */
export async function atLlmBudget(db: DbOrTx, businessId: string, budgetUsd: number | undefined | null) {
  if (budgetUsd === undefined || budgetUsd === null) return false;
  return (await monthlyLlmUsage(db, businessId)).spentUsd >= budgetUsd;
}

function roundUsd(value: number) {
  return Math.round(value * 1_000_000) / 1_000_000;
}
