import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export function deleteConversation(_businessId: string, conversationId: string) {
  return unwrap(
    apiClient.DELETE('/api/conversations/{conversation_id}', {
      params: { path: { conversation_id: conversationId } },
    }),
  );
}

export function useDeleteConversation(businessId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (conversationId: string) => deleteConversation(businessId, conversationId),
    onSuccess: () => qc.invalidateQueries({ queryKey: qk.conversations.all(businessId) }),
  });
}
