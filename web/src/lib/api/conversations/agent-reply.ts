import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export function sendAgentReply(_businessId: string, conversationId: string, content: string) {
  return unwrap(
    apiClient.POST('/api/conversations/{conversation_id}/agent-reply', {
      params: { path: { conversation_id: conversationId } },
      body: { content },
    }),
  );
}

export function useAgentReply(businessId: string, conversationId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (content: string) => sendAgentReply(businessId, conversationId, content),
    onSuccess: () => qc.invalidateQueries({ queryKey: qk.conversations.all(businessId) }),
  });
}
