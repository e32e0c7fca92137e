import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

/** api.md-style GET /api/analytics/llm-usage: this month's LLM spend against the business's budget. */
export function getLlmUsage(businessId: string) {
  return unwrap(
    apiClient.GET('/api/analytics/llm-usage', { params: { query: { business_id: businessId } } }),
  );
}

export function useLlmUsage(businessId: string | null, enabled = true) {
  return useQuery({
    queryKey: qk.analytics.llmUsage(businessId ?? ''),
    queryFn: () => getLlmUsage(businessId as string),
    enabled: enabled && !!businessId,
    refetchInterval: 60_000,
  });
}
