import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import { qk } from '@/lib/api/query-keys';

export function listLlmCalls(businessId: string, conversationId: string) {
  return unwrap(
    apiClient.GET('/api/llm-calls', {
      params: { query: { business_id: businessId, conversation_id: conversationId, limit: 500 } },
    }),
  );
}

export function useLlmCalls(businessId: string | null, conversationId: string | undefined) {
  return useQuery({
    queryKey: qk.conversations.llmCalls(businessId, conversationId),
    queryFn: () => listLlmCalls(businessId as string, conversationId as string),
    enabled: !!businessId && !!conversationId,
  });
}
