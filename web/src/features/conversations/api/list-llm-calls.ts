import { useQuery } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import type { LlmCall } from '@/lib/api/types';

export function listLlmCalls(businessId: string, conversationId: string): Promise<{ llm_calls: LlmCall[] }> {
  return unwrap<{ llm_calls: LlmCall[] }>(
    apiClient.GET('/api/llm-calls', {
      params: { query: { business_id: businessId, conversation_id: conversationId, limit: 500 } },
    }),
  );
}

export function useLlmCalls(businessId: string | null, conversationId: string | undefined) {
  return useQuery({
    queryKey: ['conversations', businessId, 'llm-calls', conversationId],
    queryFn: () => listLlmCalls(businessId as string, conversationId as string),
    enabled: !!businessId && !!conversationId,
  });
}
