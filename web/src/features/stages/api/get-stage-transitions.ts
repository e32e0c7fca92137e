import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import type { StageTransitionCount } from '@/lib/api/types';

export function getStageTransitions(businessId: string): Promise<{ transitions: StageTransitionCount[] }> {
  return unwrap<{ transitions: StageTransitionCount[] }>(
    apiClient.GET('/api/stages/transitions', { params: { query: { business_id: businessId } } }),
  );
}

export function useStageTransitions(businessId: string | null) {
  return useQuery({
    queryKey: ['stages', businessId, 'transitions'],
    queryFn: () => getStageTransitions(businessId as string),
    enabled: !!businessId,
  });
}
