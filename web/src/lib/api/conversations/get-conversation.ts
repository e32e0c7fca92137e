import { useQuery } from '@tanstack/react-query';
import type { InboxConversationDetail } from '@/lib/api/inbox-models';
import { qk } from '@/lib/api/query-keys';
import { requestJson } from '@/lib/api/request';
import { usePollWithoutStream } from '@/lib/live/poll-without-stream';

export function getConversation(_businessId: string, conversationId: string) {
  return requestJson<InboxConversationDetail>(
    'GET',
    `/api/conversations/${encodeURIComponent(conversationId)}`,
  );
}

/** Kept fresh by the live events (lib/live), not by polling. */
export function useConversation(businessId: string | null, conversationId: string | undefined) {
  const refetchInterval = usePollWithoutStream();
  return useQuery({
    refetchInterval,
    queryKey: qk.conversations.detail(businessId, conversationId),
    queryFn: () => getConversation(businessId as string, conversationId as string),
    enabled: !!businessId && !!conversationId,
  });
}
