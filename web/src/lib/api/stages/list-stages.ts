import { useQuery } from '@tanstack/react-query';
import { apiClient, compact, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export function listStages(businessId: string, agentId?: string | null) {
  return unwrap(
    apiClient.GET('/api/stages', {
      params: { query: compact({ business_id: businessId, agent_id: agentId, per_page: 100 }) },
    }),
  );
}

export function useStages(businessId: string | null, agentId?: string | null) {
  return useQuery({
    queryKey: qk.stages.list(businessId, agentId),
    queryFn: () => listStages(businessId as string, agentId),
    enabled: !!businessId,
  });
}
