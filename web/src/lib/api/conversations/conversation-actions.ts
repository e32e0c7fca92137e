import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { InboxConversation } from '@/lib/api/inbox-models';
import { qk } from '@/lib/api/query-keys';
import { requestJson } from '@/lib/api/request';
import { setAiControl } from './ai-control';

const base = (conversationId: string) => `/api/conversations/${encodeURIComponent(conversationId)}`;

/** POST …/take-over: assigns the signed-in account and stops the AI, in one step. */
export function takeOverConversation(conversationId: string) {
  return requestJson<InboxConversation>('POST', `${base(conversationId)}/take-over`);
}

/** POST …/give-back: the AI answers again; no assignee, no longer waiting. */
export function giveBackConversation(conversationId: string) {
  return requestJson<InboxConversation>('POST', `${base(conversationId)}/give-back`);
}

/** PATCH the assignee (an account id, or null) and/or the status. */
export function patchConversation(
  conversationId: string,
  body: { status?: 'active' | 'closed'; assignee_id?: string | null },
) {
  return requestJson<InboxConversation>('PATCH', base(conversationId), { body });
}

/** POST …/read: the signed-in account has read up to the latest message. */
export function markConversationRead(conversationId: string) {
  return requestJson<void>('POST', `${base(conversationId)}/read`);
}

export type ConversationAction =
  | { kind: 'take-over' }
  | { kind: 'give-back' }
  /** Pauses the AI without assigning anyone (a key session has no account to assign). */
  | { kind: 'stop-ai' }
  | { kind: 'assign'; assigneeId: string | null }
  | { kind: 'status'; status: 'active' | 'closed' };

async function run(conversationId: string, action: ConversationAction): Promise<unknown> {
  switch (action.kind) {
    case 'take-over':
      return takeOverConversation(conversationId);
    case 'give-back':
      return giveBackConversation(conversationId);
    case 'stop-ai':
      return setAiControl('', conversationId, 'stop');
    case 'assign':
      return patchConversation(conversationId, { assignee_id: action.assigneeId });
    case 'status':
      return patchConversation(conversationId, { status: action.status });
  }
}

/** The hand-off controls' one mutation; the lists and the open conversation refresh after it. */
export function useConversationAction(businessId: string, conversationId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (action: ConversationAction) => run(conversationId, action),
    onSuccess: () => qc.invalidateQueries({ queryKey: qk.conversations.all(businessId) }),
  });
}

export function useMarkRead(businessId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (conversationId: string) => markConversationRead(conversationId),
    // Only the lists carry unread counts.
    onSuccess: () =>
      qc.invalidateQueries({
        queryKey: qk.conversations.all(businessId),
        predicate: (q) => isListKey(q.queryKey),
      }),
  });
}

/** `qk.conversations.list` keys: ['conversations', businessId, {filters}]. */
export function isListKey(key: readonly unknown[]): boolean {
  return key[0] === 'conversations' && key.length === 3 && typeof key[2] === 'object' && key[2] !== null;
}
