import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export function deleteStage(_businessId: string, stageId: string) {
  return unwrap(
    apiClient.DELETE('/api/stages/{stage_id}', {
      params: { path: { stage_id: stageId } },
    }),
  );
}

export function useDeleteStage(businessId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (stageId: string) => deleteStage(businessId, stageId),
    onSuccess: () => qc.invalidateQueries({ queryKey: qk.stages.all(businessId) }),
  });
}
