import type { AppContext } from '../../context.js';
import type { Db, DbOrTx } from '../../db/client.js';
import { invalid, notFound } from '../../errors.js';
import type { ConcurrencyLimit } from '../../lib/concurrency-limit.js';
import {
  type AnalyticsScope,
  businessExists,
  mergeConversationStats,
  queryConversationSet,
  queryConversationStats,
  queryCustomersAndKeys,
  queryLlm,
  queryMessagesWithFacts,
  queryMessageTotals,
  queryNewConversationsPerDay,
  queryStageEntries,
  queryStageTransitions,
  type RawRange,
  withStatementTimeout,
} from './analytics.repository.js';
import { DEFAULT_RANGE_DAYS, MAX_FILL_RATE_KEYS, MAX_RANGE_DAYS } from './analytics.schemas.js';
import { addToHistogram, type Histogram, percentileOf } from './latency-histogram.js';
import { type FoldedTable, foldCommittedRows } from './rollup-compaction.repository.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface OverviewQuery {
  from?: string | undefined;
  to?: string | undefined;
  include_simulator?: boolean | undefined;
}

function instant(field: 'from' | 'to', value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw invalid(`Invalid ${field}`, { [field]: 'must be a date-time' });
  return date;
}

/** `[from, to]`: `to` defaults to now, `from` to 30 days before `to`; at most 366 days long. */
export function resolveRange(query: OverviewQuery, now = new Date()): { from: Date; to: Date } {
  const to = query.to === undefined ? now : instant('to', query.to);
  const from =
    query.from === undefined
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

/**
 * The whole UTC days inside `[from, to]`, `[first, end)` (YYYY-MM-DD), or null when there is none.
 * A day D is whole when from ≤ D 00:00 and D+1 00:00 ≤ to (instants have millisecond precision).
 */
export function wholeDaysOf(from: Date, to: Date): { first: string; end: string } | null {
  const startOfDay = (t: number) => t - (((t % DAY_MS) + DAY_MS) % DAY_MS);
  const first =
    startOfDay(from.getTime()) === from.getTime() ? from.getTime() : startOfDay(from.getTime()) + DAY_MS;
  const end = startOfDay(to.getTime());
  if (first >= end) return null;
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  return { first: day(first), end: day(end) };
}

/**
 * The whole UTC hours inside `[from, to]`, `[first, end)` as ISO instants, or null when there is none
 * (the hourly rollups' counterpart of wholeDaysOf).
 */
export function wholeHoursOf(from: Date, to: Date): { first: string; end: string } | null {
  const startOfHour = (t: number) => t - (((t % HOUR_MS) + HOUR_MS) % HOUR_MS);
  const first =
    startOfHour(from.getTime()) === from.getTime() ? from.getTime() : startOfHour(from.getTime()) + HOUR_MS;
  const end = startOfHour(to.getTime());
  if (first >= end) return null;
  return { first: new Date(first).toISOString(), end: new Date(end).toISOString() };
}

/**
 * Which days the overview reads from the daily rollups and which raw rows go with them. Whole days
 * always come from the rollups; a partial first or last day is either read raw (its rows in the
 * range, added) or whole from its rollup with the rows outside the range taken out — whichever spans
 * less time (rows after `now` are none: for a range ending now, the last day costs nothing raw).
 */
export function dayPlanOf(
  from: Date,
  to: Date,
  now: Date,
): { wholeDays: { first: string; end: string } | null; rawRanges: RawRange[] } {
  const f = from.getTime();
  const t = to.getTime();
  const startOfDay = (x: number) => x - (((x % DAY_MS) + DAY_MS) % DAY_MS);
  const iso = (x: number) => new Date(x).toISOString();
  const firstDay = startOfDay(f);
  const lastDay = startOfDay(t);
  const after = (x: number) => Math.max(0, Math.min(x, now.getTime()) - t); // (to, x): rows up to now
  const ranges: RawRange[] = [];
  let first: number;
  let end: number;
  if (firstDay === lastDay) {
    // One day: [from, to] raw, or the day's rollup minus [day, from) and (to, day end).
    if (t - f <= f - firstDay + after(firstDay + DAY_MS)) {
      return { wholeDays: null, rawRanges: [{ from: iso(f), to: iso(t), toInclusive: true, sign: 1 }] };
    }
    first = firstDay;
    end = firstDay + DAY_MS;
    if (f > firstDay) ranges.push({ from: iso(firstDay), to: iso(f), sign: -1 });
    ranges.push({ from: iso(t), to: iso(end), fromExclusive: true, sign: -1 });
  } else {
    if (f === firstDay) first = firstDay;
    else if (firstDay + DAY_MS - f <= f - firstDay) {
      first = firstDay + DAY_MS;
      ranges.push({ from: iso(f), to: iso(first), sign: 1 });
    } else {
      first = firstDay;
      ranges.push({ from: iso(firstDay), to: iso(f), sign: -1 });
    }
    if (t - lastDay <= after(lastDay + DAY_MS)) {
      end = lastDay;
      ranges.push({ from: iso(lastDay), to: iso(t), toInclusive: true, sign: 1 });
    } else {
      end = lastDay + DAY_MS;
      ranges.push({ from: iso(t), to: iso(end), fromExclusive: true, sign: -1 });
    }
  }
  const day = (x: number) => iso(x).slice(0, 10);
  return { wholeDays: first < end ? { first: day(first), end: day(end) } : null, rawRanges: ranges };
}

export async function getOverview(ctx: AppContext, businessId: string, query: OverviewQuery) {
  const now = new Date();
  const { from, to } = resolveRange(query, now);
  const [exists, overview] = await Promise.all([
    businessExists(ctx.db, businessId),
    overviewOf(
      ctx.db,
      ctx.config.analyticsTimeoutMs,
      {
        businessId,
        from: from.toISOString(),
        to: to.toISOString(),
        includeSimulator: query.include_simulator === true,
        ...dayPlanOf(from, to, now),
        wholeHours: wholeHoursOf(from, to),
      },
      ctx.dashboardSlots,
    ),
  ]);
  if (!exists) throw notFound('Business');
  return overview;
}

/**
 * How dashboard statements run: each waits for a place in `slots` (AppContext's dashboardSlots; by
 * default at once), then runs in a transaction with the dashboard settings and statement timeout.
 */
export const dashboardQueries =
  (db: Db, timeoutMs: number, slots: ConcurrencyLimit = (task) => task()) =>
  <T>(query: (db: DbOrTx) => Promise<T>) =>
    slots(() => withStatementTimeout(db, timeoutMs, query));

/**
 * The overview of a scope: whole days (and, for the distinct counts, whole hours) from the rollups,
 * the rest from raw rows (`wholeDays: null, wholeHours: null` reads everything raw — the reference the
 * rollups are tested against). Its statements run as dashboardQueries with `slots`.
 */
export async function overviewOf(db: Db, timeoutMs: number, scope: AnalyticsScope, slots?: ConcurrencyLimit) {
  const timed = dashboardQueries(db, timeoutMs, slots);
  const hours = scope.wholeHours;
  // Messages and LLM calls enter their rollups by a fold after commit (migrations 0025, 0026), and so
  // do conversations' first messages (0030, the stage entries) and their starts (0031, new
  // conversations per day and per hour): fold what has been committed by now, then read. A fold that
  // does not finish within the dashboard's timeout (a bulk import's backlog) leaves the rollup as the
  // last fold left it, still read: never an error.
  const folded = (table: FoldedTable, readsRollup: boolean) =>
    readsRollup
      ? timed((tx) => foldCommittedRows(tx, table, { wait: true })).then(
          () => undefined,
          () => undefined,
        )
      : Promise.resolve();
  const messagesFolded = folded('messages', scope.wholeDays !== null || hours !== null);
  // With the hourly rollups, the conversations' distinct counts are two statements side by side
  // (the counted set; customers and keys over all candidates) and the stage entries a third.
  const distinctCounts = hours
    ? Promise.all([
        messagesFolded.then(() => timed((tx) => queryConversationSet(tx, scope, hours))),
        timed((tx) => queryCustomersAndKeys(tx, scope)),
        messagesFolded.then(() => timed((tx) => queryStageEntries(tx, scope, hours))),
      ]).then(([set, all, entered]) => ({
        ...mergeConversationStats(set, all, MAX_FILL_RATE_KEYS),
        entered,
      }))
    : timed((tx) => queryConversationStats(tx, scope, MAX_FILL_RATE_KEYS));
  const [messages, conversations, days, stages, llm, facts] = await Promise.all([
    messagesFolded.then(() => timed((tx) => queryMessageTotals(tx, scope))),
    distinctCounts,
    messagesFolded.then(() => timed((tx) => queryNewConversationsPerDay(tx, scope))),
    timed((tx) => queryStageTransitions(tx, scope)),
    folded('llm_calls', scope.wholeDays !== null).then(() => timed((tx) => queryLlm(tx, scope))),
    timed((tx) => queryMessagesWithFacts(tx, scope)),
  ]);
  return {
    business_id: scope.businessId,
    from: scope.from,
    to: scope.to,
    totals: {
      conversations: conversations.conversations,
      new_conversations: conversations.new_conversations,
      active_conversations: conversations.active_conversations,
      ...messages.totals,
      users: conversations.users,
    },
    per_day: days.map((day) => ({
      date: day.date,
      conversations: day.conversations,
      messages: messages.perDay.get(day.date) ?? 0,
      llm_calls: llm.perDay.get(day.date)?.calls ?? 0,
      errors: llm.perDay.get(day.date)?.errors ?? 0,
    })),
    stage_funnel: stages.map((stage) => ({
      stage_id: stage.stage_id,
      stage_name: stage.stage_name,
      conversations_entered: conversations.entered.get(stage.stage_id) ?? 0,
      conversations_current: conversations.current.get(stage.stage_id) ?? 0,
      transitions_in: stage.transitions_in,
      transitions_out: stage.transitions_out,
    })),
    llm: llmSummary(llm),
    extraction: {
      messages_with_facts: facts,
      fill_rates: conversations.keys.map((entry) => ({
        ...entry,
        rate: conversations.conversations ? entry.conversations / conversations.conversations : 0,
      })),
    },
  };
}

function llmSummary({ steps, buckets }: Awaited<ReturnType<typeof queryLlm>>) {
  const all: Histogram = new Map();
  const perStep = new Map<string, Histogram>();
  for (const { call_type, bucket, n } of buckets) {
    addToHistogram(all, bucket, n);
    const histogram = perStep.get(call_type) ?? new Map<number, number>();
    addToHistogram(histogram, bucket, n);
    perStep.set(call_type, histogram);
  }
  const sum = (pick: (step: (typeof steps)[number]) => number) =>
    steps.reduce((total, step) => total + pick(step), 0);
  const calls = sum((step) => step.calls);
  const errors = sum((step) => step.errors);
  return {
    calls,
    errors,
    error_rate: calls ? errors / calls : 0,
    latency_ms: { p50: percentileOf(all, 0.5), p95: percentileOf(all, 0.95), p99: percentileOf(all, 0.99) },
    tokens_in: sum((step) => step.tokens_in),
    tokens_out: sum((step) => step.tokens_out),
    cost_usd: sum((step) => step.cost_usd),
    per_step: steps.map((step) => {
      const histogram = perStep.get(step.call_type) ?? new Map<number, number>();
      return {
        ...step,
        p50_ms: percentileOf(histogram, 0.5),
        p95_ms: percentileOf(histogram, 0.95),
      };
    }),
  };
}
