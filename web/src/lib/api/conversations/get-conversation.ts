import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';

export function getConversation(_businessId: string, conversationId: string) {
  return unwrap(
    apiClient.GET('/api/conversations/{conversation_id}', {
      params: { path: { conversation_id: conversationId } },
    }),
  );
}

export function conversationKey(businessId: string | null, conversationId: string | undefined) {
  return ['conversations', businessId, 'detail', conversationId] as const;
}

export function useConversation(
  businessId: string | null,
  conversationId: string | undefined,
  refetchInterval?: number,
) {
  return useQuery({
    queryKey: conversationKey(businessId, conversationId),
    queryFn: () => getConversation(businessId as string, conversationId as string),
    enabled: !!businessId && !!conversationId,
    refetchInterval,
  });
}
