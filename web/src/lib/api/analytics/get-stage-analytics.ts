import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';
import { type RangeDays, rangeStart } from './get-analytics-overview';

/** Per stage: entries, completion, time to complete, drop-off and missing fields (GET /api/analytics/stages). */
export function getStageAnalytics(businessId: string, from: string, includeSimulator = false) {
  const query: { business_id: string; from: string; include_simulator?: boolean } = {
    business_id: businessId,
    from,
  };
  if (includeSimulator) query.include_simulator = true;
  return unwrap(apiClient.GET('/api/analytics/stages', { params: { query } }));
}

export function useStageAnalytics(businessId: string, days: RangeDays, includeSimulator = false) {
  const from = rangeStart(days);
  return useQuery({
    queryKey: qk.analytics.stages(businessId, days, from, includeSimulator),
    queryFn: () => getStageAnalytics(businessId, from, includeSimulator),
    placeholderData: keepPreviousData,
    refetchInterval: 60_000,
  });
}
