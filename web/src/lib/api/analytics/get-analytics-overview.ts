import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export const RANGE_OPTIONS = [7, 30, 90] as const;
export type RangeDays = (typeof RANGE_OPTIONS)[number];
export const DEFAULT_RANGE_DAYS: RangeDays = 30;

const DAY_MS = 86_400_000;

/**
 * "Last N days" as whole UTC days (the server buckets `per_day` by UTC day): from the start of the
 * UTC day N-1 days ago until now. `to` is left to the server (now), so the query key only changes
 * at UTC midnight.
 */
export function rangeStart(days: number, now: Date = new Date()): string {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(today - (days - 1) * DAY_MS).toISOString();
}

/** `includeSimulator`: count the simulator's test chats too (the server leaves them out by default). */
export function getAnalyticsOverview(
  businessId: string,
  from: string,
  to?: string,
  includeSimulator = false,
) {
  const query: { business_id: string; from: string; to?: string; include_simulator?: boolean } = {
    business_id: businessId,
    from,
  };
  if (to) query.to = to;
  if (includeSimulator) query.include_simulator = true;
  return unwrap(apiClient.GET('/api/analytics/overview', { params: { query } }));
}

export function useAnalyticsOverview(businessId: string, days: RangeDays, includeSimulator = false) {
  const from = rangeStart(days);
  return useQuery({
    queryKey: qk.analytics.overview(businessId, days, from, includeSimulator),
    queryFn: () => getAnalyticsOverview(businessId, from, undefined, includeSimulator),
    placeholderData: keepPreviousData,
    refetchInterval: 60_000,
  });
}
