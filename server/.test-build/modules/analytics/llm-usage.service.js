import { monthlyLlmUsage } from './llm-usage.repository.js';
/** This month's LLM spend of a business against its `llm_budget_usd` (null: no budget set). */
export async function llmUsageOf(db, businessId, budgetUsd) {
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
export async function atLlmBudget(db, businessId, budgetUsd) {
    if (budgetUsd === undefined || budgetUsd === null)
        return false;
    return (await monthlyLlmUsage(db, businessId)).spentUsd >= budgetUsd;
}
function roundUsd(value) {
    return Math.round(value * 1_000_000) / 1_000_000;
}
//# sourceMappingURL=llm-usage.service.js.map