import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';

export function listAgents(businessId: string) {
  return unwrap(
    apiClient.GET('/api/agents', { params: { query: { business_id: businessId, per_page: 100 } } }),
  );
}

export function useAgents(businessId: string | null) {
  return useQuery({
    queryKey: ['agents', businessId],
    queryFn: () => listAgents(businessId as string),
    enabled: !!businessId,
  });
}
