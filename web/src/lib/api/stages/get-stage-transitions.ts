import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';

export function getStageTransitions(businessId: string) {
  return unwrap(apiClient.GET('/api/stages/transitions', { params: { query: { business_id: businessId } } }));
}

export function useStageTransitions(businessId: string | null) {
  return useQuery({
    queryKey: ['stages', businessId, 'transitions'],
    queryFn: () => getStageTransitions(businessId as string),
    enabled: !!businessId,
  });
}
