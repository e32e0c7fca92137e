import { Type } from '@sinclair/typebox';
import { Nullable, Timestamp, Uuid } from '../../lib/schemas.js';
export const LlmUsageQuery = Type.Object({ business_id: Type.Optional(Uuid) });
export const LlmUsage = Type.Object({
    month: Type.String({
        pattern: '^\\d{4}-\\d{2}$',
        description: 'The calendar month (UTC) measured, YYYY-MM',
    }),
    spent_usd: Type.Number({ minimum: 0, description: 'Recorded LLM cost this month, every call type' }),
    calls: Type.Integer({ minimum: 0, description: 'LLM calls recorded this month' }),
    budget_usd: Nullable(Type.Number({ minimum: 0, description: "The business's `settings.llm_budget_usd`; null: no budget" })),
    remaining_usd: Nullable(Type.Number({ minimum: 0, description: 'What is left of the budget this month; null: no budget' })),
    at_budget: Type.Boolean({
        description: 'The budget is spent: the offline engine answers customers until `resets_at` or a raise',
    }),
    resets_at: Timestamp,
}, { $id: 'LlmUsage' });
//# sourceMappingURL=llm-usage.schemas.js.map