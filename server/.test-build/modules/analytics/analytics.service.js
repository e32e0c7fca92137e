import { invalid, notFound } from '../../errors.js';
import { businessExists, queryExtraction, queryLlm, queryPerDay, queryStageFunnel, queryTotals, withStatementTimeout, } from './analytics.repository.js';
import { DEFAULT_RANGE_DAYS, MAX_FILL_RATE_KEYS, MAX_RANGE_DAYS } from './analytics.schemas.js';
const DAY_MS = 86_400_000;
function instant(field, value) {
    const date = new Date(value);
    if (Number.isNaN(date.getTime()))
        throw invalid(`Invalid ${field}`, { [field]: 'must be a date-time' });
    return date;
}
/** `[from, to]`: `to` defaults to now, `from` to 30 days before `to`; at most 366 days long. */
export function resolveRange(query, now = new Date()) {
    const to = query.to === undefined ? now : instant('to', query.to);
    const from = query.from === undefined
        ? new Date(to.getTime() - DEFAULT_RANGE_DAYS * DAY_MS)
        : instant('from', query.from);
    if (from.getTime() > to.getTime())
        throw invalid('from must not be after to', { from: 'must not be after to' });
    if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
        throw invalid(`The range may span at most ${MAX_RANGE_DAYS} days`, {
            from: `at most ${MAX_RANGE_DAYS} days before to`,
        });
    }
    return { from, to };
}
export async function getOverview(ctx, businessId, query) {
    const { from, to } = resolveRange(query);
    const scope = {
        businessId,
        from: from.toISOString(),
        to: to.toISOString(),
        includeSimulator: query.include_simulator === true,
    };
    const timed = (query) => withStatementTimeout(ctx.db, ctx.config.analyticsTimeoutMs, query);
    const [exists, totals, perDay, funnel, llm, extraction] = await Promise.all([
        businessExists(ctx.db, businessId),
        timed((db) => queryTotals(db, scope)),
        timed((db) => queryPerDay(db, scope)),
        timed((db) => queryStageFunnel(db, scope)),
        timed((db) => queryLlm(db, scope)),
        timed((db) => queryExtraction(db, scope, MAX_FILL_RATE_KEYS)),
    ]);
    if (!exists)
        throw notFound('Business');
    return {
        business_id: businessId,
        from: scope.from,
        to: scope.to,
        totals,
        per_day: perDay,
        stage_funnel: funnel,
        llm,
        extraction,
    };
}
//# sourceMappingURL=analytics.service.js.map