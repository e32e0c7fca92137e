import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { errorResponses } from '../../lib/schemas.js';
import { principalOf, scopeBusinessId } from '../../plugins/auth.js';
import {
  AnalyticsOverview,
  DROP_OFF_QUIET_HOURS,
  OverviewQuery,
  StageAnalytics,
} from './analytics.schemas.js';
import { getOverview } from './analytics.service.js';
import { getStageAnalytics } from './stage-analytics.service.js';

export const analyticsRoutes = (ctx: AppContext) => async (root: FastifyInstance) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/api/analytics/overview',
    {
      config: { access: { permission: 'read', business: 'query' } },
      schema: {
        tags: ['analytics'],
        summary: 'Totals, per-day series, stage funnel, LLM usage and extraction fill rates of a business',
        description:
          'The range `[from, to]` (default: the last 30 days, at most 366) applies to created_at of ' +
          'messages, LLM calls and stage transitions and to start_time of conversations. Days are UTC. ' +
          'Whole days are read from daily rollups (kept exact on every write), the partial first and ' +
          'last day from the rows themselves: the counts are the same as counting the rows.',
        querystring: OverviewQuery,
        response: { 200: AnalyticsOverview, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      getOverview(ctx, scopeBusinessId(principalOf(request), request.query.business_id), request.query),
  );

  app.get(
    '/api/analytics/stages',
    {
      config: { access: { permission: 'read', business: 'query' } },
      schema: {
        tags: ['analytics'],
        summary:
          'Per stage: entries, completion rate, median time to complete, drop-off, fields most often missing',
        description:
          'Over the visits that began in `[from, to]` (default: the last 30 days, at most 366). A conversation ' +
          'enters a stage by a transition into it or by its first customer message being handled there; ' +
          'the visit completes when it moves on to another stage or holds every required field; it drops ' +
          `off when it is still in the stage, not complete, and closed or quiet for ${DROP_OFF_QUIET_HOURS} ` +
          'hours before `to`. Simulator conversations are left out unless include_simulator=true.',
        querystring: OverviewQuery,
        response: { 200: StageAnalytics, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      getStageAnalytics(ctx, scopeBusinessId(principalOf(request), request.query.business_id), request.query),
  );
};
