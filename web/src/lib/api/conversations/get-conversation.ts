import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export function getConversation(_businessId: string, conversationId: string) {
  return unwrap(
    apiClient.GET('/api/conversations/{conversation_id}', {
      params: { path: { conversation_id: conversationId } },
    }),
  );
}

export function useConversation(
  businessId: string | null,
  conversationId: string | undefined,
  refetchInterval?: number,
) {
  return useQuery({
    queryKey: qk.conversations.detail(businessId, conversationId),
    queryFn: () => getConversation(businessId as string, conversationId as string),
    enabled: !!businessId && !!conversationId,
    refetchInterval,
  });
}
