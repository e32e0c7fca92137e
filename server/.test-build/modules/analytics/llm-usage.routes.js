import { notFound } from '../../errors.js';
import { errorResponses } from '../../lib/schemas.js';
import { principalOf, scopeBusinessId } from '../../plugins/auth.js';
import { findBusiness } from '../businesses/index.js';
import { LlmUsage, LlmUsageQuery } from './llm-usage.schemas.js';
import { llmUsageOf } from './llm-usage.service.js';
export const llmUsageRoutes = (ctx) => async (root) => {
    const app = root.withTypeProvider();
    app.get('/api/analytics/llm-usage', {
        config: { access: { permission: 'read', business: 'query' } },
        schema: {
            tags: ['analytics'],
            summary: "This month's LLM spend of a business against its monthly budget",
            description: 'Spend is the recorded cost of every LLM call of the business since the start of the calendar ' +
                'month (UTC). At `settings.llm_budget_usd` the offline engine answers customers until the month ' +
                'ends or the budget is raised (PATCH /api/businesses/{id}).',
            querystring: LlmUsageQuery,
            response: { 200: LlmUsage, ...errorResponses(400, 401, 403, 404) },
        },
    }, async (request) => {
        const businessId = scopeBusinessId(principalOf(request), request.query.business_id);
        const business = await findBusiness(ctx.db, businessId);
        if (!business)
            throw notFound('Business');
        return llmUsageOf(ctx.db, businessId, business.settings.llm_budget_usd ?? null);
    });
};
//# sourceMappingURL=llm-usage.routes.js.map