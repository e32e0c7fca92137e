import type { AppContext } from '../../context.js';
import { notFound } from '../../errors.js';
import { readBusinessFields } from '../fields/index.js';
import { queryStageGoals, queryStageVisits } from './analytics.repository.js';
import { DROP_OFF_QUIET_HOURS } from './analytics.schemas.js';
import { dashboardQueries, type OverviewQuery, resolveRange } from './analytics.service.js';

/** Stage analytics (issue 16): per stage, entries, completion, time to complete, drop-off, missing fields. */
export async function getStageAnalytics(ctx: AppContext, businessId: string, query: OverviewQuery) {
  const { from, to } = resolveRange(query);
  const scope = {
    businessId,
    from: from.toISOString(),
    to: to.toISOString(),
    includeSimulator: query.include_simulator === true,
    wholeDays: null,
    wholeHours: null,
  };
  const dashboard = dashboardQueries(ctx.db, ctx.config.analyticsTimeoutMs, ctx.dashboardSlots);
  const [fields, goals, visits] = await Promise.all([
    readBusinessFields(ctx.db, businessId),
    dashboard((tx) => queryStageGoals(tx, businessId)),
    dashboard((tx) => queryStageVisits(tx, scope, DROP_OFF_QUIET_HOURS)),
  ]);
  if (fields === undefined) throw notFound('Business');
  const labelOf = (name: string) => fields.find((f) => f.name === name)?.label ?? name;
  return {
    business_id: businessId,
    from: scope.from,
    to: scope.to,
    quiet_hours: DROP_OFF_QUIET_HOURS,
    stages: goals.map((stage) => {
      const visit = visits.visits.find((v) => v.stage_id === stage.stage_id);
      const entries = visit?.entries ?? 0;
      const completions = visit?.completions ?? 0;
      const dropOffs = visit?.drop_offs ?? 0;
      return {
        ...stage,
        entries,
        completions,
        completion_rate: entries ? completions / entries : 0,
        median_seconds_to_complete: visit?.median_seconds ?? null,
        drop_offs: dropOffs,
        drop_off_rate: entries ? dropOffs / entries : 0,
        missing_fields: visits.missing
          .filter((m) => m.stage_id === stage.stage_id)
          .sort((a, b) => b.n - a.n || (a.field < b.field ? -1 : 1))
          .map((m) => ({ name: m.field, label: labelOf(m.field), conversations: m.n })),
      };
    }),
  };
}
