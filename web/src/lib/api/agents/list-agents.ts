import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export function listAgents(businessId: string) {
  return unwrap(
    apiClient.GET('/api/agents', { params: { query: { business_id: businessId, per_page: 100 } } }),
  );
}

export function useAgents(businessId: string | null) {
  return useQuery({
    queryKey: qk.agents.all(businessId),
    queryFn: () => listAgents(businessId as string),
    enabled: !!businessId,
  });
}
