import { useMutation, useQueryClient } from '@tanstack/react-query';
import { qk } from '@/lib/api/query-keys';
import { requestJson } from '@/lib/api/request';

export type CollectedValue = string | number | boolean | null;

/** PATCH …/collected-data: sets keys; a null value removes the key. */
export function updateCollectedData(conversationId: string, data: Record<string, CollectedValue>) {
  return requestJson<{ collected_data: Record<string, unknown> }>(
    'PATCH',
    `/api/conversations/${encodeURIComponent(conversationId)}/collected-data`,
    { body: { data } },
  );
}

export function useUpdateCollectedData(businessId: string, conversationId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (data: Record<string, CollectedValue>) => updateCollectedData(conversationId, data),
    onSuccess: () => qc.invalidateQueries({ queryKey: qk.conversations.all(businessId) }),
  });
}
