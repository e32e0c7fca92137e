import { errorResponses } from '../../lib/schemas.js';
import { principalOf, scopeBusinessId } from '../../plugins/auth.js';
import { AnalyticsOverview, OverviewQuery } from './analytics.schemas.js';
import { getOverview } from './analytics.service.js';
export const analyticsRoutes = (ctx) => async (root) => {
    const app = root.withTypeProvider();
    app.get('/api/analytics/overview', {
        config: { access: { permission: 'read', business: 'query' } },
        schema: {
            tags: ['analytics'],
            summary: 'Totals, per-day series, stage funnel, LLM usage and extraction fill rates of a business',
            description: 'The range `[from, to]` (default: the last 30 days, at most 366) applies to created_at of ' +
                'messages, LLM calls and stage transitions and to start_time of conversations. Days are UTC.',
            querystring: OverviewQuery,
            response: { 200: AnalyticsOverview, ...errorResponses(400, 401, 403, 404) },
        },
    }, async (request) => getOverview(ctx, scopeBusinessId(principalOf(request), request.query.business_id), request.query));
};
//# sourceMappingURL=analytics.routes.js.map