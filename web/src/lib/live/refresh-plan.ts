import type { ConversationEvent } from '@/lib/api/inbox-models';
import { qk } from '@/lib/api/query-keys';

/** What one live event makes stale: the lists (every filter), and parts of that one conversation. */
export interface RefreshPlan {
  lists: boolean;
  keys: (readonly unknown[])[];
}

export function refreshPlan(businessId: string, event: ConversationEvent): RefreshPlan {
  const id = event.conversation_id;
  const detail = qk.conversations.detail(businessId, id);
  switch (event.type) {
    case 'typing':
      return { lists: false, keys: [] };
    case 'note':
      return { lists: false, keys: [qk.conversations.notes(businessId, id)] };
    case 'delivery':
      return { lists: false, keys: [detail] };
    case 'message':
      // A reply ends a turn: its LLM calls are logged by then.
      return {
        lists: true,
        keys: event.sender_type === 'user' ? [detail] : [detail, qk.conversations.llmCalls(businessId, id)],
      };
    case 'stage':
      return { lists: true, keys: [detail, qk.conversations.llmCalls(businessId, id)] };
    default:
      return { lists: true, keys: [detail] };
  }
}
