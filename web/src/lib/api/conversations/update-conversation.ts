import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export function updateConversationStatus(
  _businessId: string,
  conversationId: string,
  status: 'active' | 'closed',
) {
  return unwrap(
    apiClient.PATCH('/api/conversations/{conversation_id}', {
      params: { path: { conversation_id: conversationId } },
      body: { status },
    }),
  );
}

export function useUpdateConversationStatus(businessId: string, conversationId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (status: 'active' | 'closed') => updateConversationStatus(businessId, conversationId, status),
    onSuccess: () => qc.invalidateQueries({ queryKey: qk.conversations.all(businessId) }),
  });
}
