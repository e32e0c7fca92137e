import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CannedReply } from '@/lib/api/inbox-models';
import { qk } from '@/lib/api/query-keys';
import { requestJson } from '@/lib/api/request';

export function listCannedReplies(businessId: string, conversationId?: string) {
  return requestJson<{ canned_replies: CannedReply[] }>('GET', '/api/canned-replies', {
    query: { business_id: businessId, conversation_id: conversationId },
  });
}

/** Sorted by shortcut; with `conversationId` each carries `rendered` for that conversation. */
export function useCannedReplies(
  businessId: string | null,
  conversationId?: string,
  { enabled = true }: { enabled?: boolean } = {},
) {
  return useQuery({
    queryKey: qk.cannedReplies.list(businessId, conversationId),
    queryFn: () => listCannedReplies(businessId as string, conversationId),
    enabled: enabled && !!businessId,
  });
}

export interface CannedReplyInput {
  shortcut: string;
  content: string;
}

export function createCannedReply(businessId: string, input: CannedReplyInput) {
  return requestJson<CannedReply>('POST', '/api/canned-replies', {
    body: { business_id: businessId, ...input },
  });
}

export function updateCannedReply(id: string, input: Partial<CannedReplyInput>) {
  return requestJson<CannedReply>('PUT', `/api/canned-replies/${encodeURIComponent(id)}`, { body: input });
}

export function deleteCannedReply(id: string) {
  return requestJson<void>('DELETE', `/api/canned-replies/${encodeURIComponent(id)}`);
}

/** Create (no id) or update (id) one canned reply. */
export function useSaveCannedReply(businessId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...input }: CannedReplyInput & { id?: string }) =>
      id ? updateCannedReply(id, input) : createCannedReply(businessId, input),
    onSuccess: () => qc.invalidateQueries({ queryKey: qk.cannedReplies.all(businessId) }),
  });
}

export function useDeleteCannedReply(businessId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => deleteCannedReply(id),
    onSuccess: () => qc.invalidateQueries({ queryKey: qk.cannedReplies.all(businessId) }),
  });
}
