import { useConversation } from '@/lib/api/conversations/get-conversation';
import { useLlmCalls } from '@/lib/api/conversations/list-llm-calls';
import { useStages } from '@/lib/api/stages/list-stages';

/** One conversation (polled every 10 s), its LLM calls, and stage names for the transcript. */
export function useConversationView(businessId: string, conversationId: string) {
  const detail = useConversation(businessId, conversationId, 10_000);
  const calls = useLlmCalls(businessId, conversationId);
  const stages = useStages(businessId);
  const names = new Map((stages.data?.stages ?? []).map((s) => [s.stage_id, s.stage_name]));
  const stageName = (id: string | null | undefined) => (id ? (names.get(id) ?? 'deleted stage') : null);
  return { detail, calls, stageName };
}
