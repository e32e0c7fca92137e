import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import type { Stage } from '@/lib/api/types';

export function getStage(_businessId: string, stageId: string): Promise<Stage> {
  return unwrap<Stage>(
    apiClient.GET('/api/stages/{stage_id}', {
      params: { path: { stage_id: stageId } },
    }),
  );
}

export function useStage(businessId: string | null, stageId: string | undefined) {
  return useQuery({
    queryKey: ['stages', businessId, 'detail', stageId],
    queryFn: () => getStage(businessId as string, stageId as string),
    enabled: !!businessId && !!stageId,
  });
}
