import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export function getStageTransitions(businessId: string) {
  return unwrap(apiClient.GET('/api/stages/transitions', { params: { query: { business_id: businessId } } }));
}

export function useStageTransitions(businessId: string | null) {
  return useQuery({
    queryKey: qk.stages.transitions(businessId),
    queryFn: () => getStageTransitions(businessId as string),
    enabled: !!businessId,
  });
}
