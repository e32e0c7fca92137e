import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export function setAiControl(
  _businessId: string,
  conversationId: string,
  action: 'stop' | 'resume',
  durationHours?: number,
) {
  return unwrap(
    apiClient.POST('/api/conversations/{conversation_id}/ai-control', {
      params: { path: { conversation_id: conversationId } },
      body: durationHours ? { action, duration_hours: durationHours } : { action },
    }),
  );
}

export function useAiControl(businessId: string, conversationId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ action, durationHours }: { action: 'stop' | 'resume'; durationHours?: number }) =>
      setAiControl(businessId, conversationId, action, durationHours),
    onSuccess: () => qc.invalidateQueries({ queryKey: qk.conversations.all(businessId) }),
  });
}
