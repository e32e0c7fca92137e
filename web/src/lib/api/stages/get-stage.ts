import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export function getStage(_businessId: string, stageId: string) {
  return unwrap(
    apiClient.GET('/api/stages/{stage_id}', {
      params: { path: { stage_id: stageId } },
    }),
  );
}

export function useStage(businessId: string | null, stageId: string | undefined) {
  return useQuery({
    queryKey: qk.stages.detail(businessId, stageId),
    queryFn: () => getStage(businessId as string, stageId as string),
    enabled: !!businessId && !!stageId,
  });
}
