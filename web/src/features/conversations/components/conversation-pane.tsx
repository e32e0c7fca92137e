import { Box } from '@mui/material';
import { useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import { ErrorAlert } from '@/components/error-alert';
import { Loading } from '@/components/loading';
import { useMarkRead } from '@/lib/api/conversations/conversation-actions';
import { useConversation } from '@/lib/api/conversations/get-conversation';
import { useLlmCalls } from '@/lib/api/conversations/list-llm-calls';
import { useNotes } from '@/lib/api/conversations/notes';
import type { InboxConversationDetail } from '@/lib/api/inbox-models';
import { useStages } from '@/lib/api/stages/list-stages';
import { useSession } from '@/lib/auth/session';
import { useAssistantTyping } from '@/lib/live/live-store';
import { Composer } from './composer';
import { ConversationHeader } from './conversation-header';
import { buildTimeline } from './timeline';
import { Transcript } from './transcript';

export function useStageNames(businessId: string) {
  const stages = useStages(businessId);
  return useMemo(() => {
    const list = stages.data?.stages ?? [];
    const names = new Map(list.map((s) => [s.stage_id, s.stage_name]));
    // `handoff` arrives with the inbox server work; older servers have no such stages.
    const handoff = new Set(list.filter((s) => (s as { handoff?: boolean }).handoff).map((s) => s.stage_id));
    return {
      stageName: (id: string | null | undefined) => (id ? (names.get(id) ?? 'deleted stage') : null),
      isHandoffStage: (id: string | null | undefined) => !!id && handoff.has(id),
    };
  }, [stages.data]);
}

export function customerTitle(detail: InboxConversationDetail): string {
  return detail.conversation.user_name || detail.customer?.name || 'Customer';
}

/** The middle pane: the hand-off header, the transcript (the only part that scrolls) and the composer. */
export function ConversationPane({
  businessId,
  conversationId,
  headingLevel,
  backTo,
  onShowCustomer,
  now,
}: {
  businessId: string;
  conversationId: string;
  headingLevel: 'h1' | 'h2';
  backTo?: string;
  onShowCustomer?: () => void;
  now: number;
}) {
  const detail = useConversation(businessId, conversationId);
  const calls = useLlmCalls(businessId, conversationId);
  const notes = useNotes(businessId, conversationId);
  const { stageName, isHandoffStage } = useStageNames(businessId);
  const typing = useAssistantTyping(conversationId);
  const { user } = useSession();
  const markRead = useMarkRead(businessId);
  const scroller = useRef<HTMLDivElement | null>(null);
  const stick = useRef(true);

  const items = useMemo(
    () =>
      detail.data
        ? buildTimeline({
            messages: detail.data.messages,
            notes: notes.data?.notes ?? [],
            llmCalls: calls.data?.llm_calls ?? [],
            transitions: detail.data.stage_transitions,
            stageName,
            isHandoffStage,
          })
        : [],
    [detail.data, notes.data, calls.data, stageName, isHandoffStage],
  );
  const messageCount = detail.data?.messages.length ?? 0;

  // Reading the conversation marks it read (for a signed-in account): on opening, when messages
  // arrive while it is on screen, and when the tab comes back into view.
  const loaded = !!detail.data;
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per conversation and message count
  useEffect(() => {
    if (!user || !loaded) return;
    const read = () => {
      if (document.visibilityState !== 'hidden') markRead.mutate(conversationId);
    };
    read();
    document.addEventListener('visibilitychange', read);
    return () => document.removeEventListener('visibilitychange', read);
  }, [conversationId, messageCount, loaded, user?.id]);

  // Follow the bottom as messages arrive, unless the reader scrolled up.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the rows change
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [items.length, typing]);

  if (detail.isLoading) return <Loading label="Loading the conversation" />;
  if (detail.error || !detail.data)
    return (
      <Box sx={{ p: 2 }}>
        <ErrorAlert
          error={detail.error ?? new Error('Conversation not found.')}
          onRetry={() => detail.refetch()}
        />
      </Box>
    );
  const c = detail.data.conversation;

  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', height: '100%', minHeight: 0 }}>
      <ConversationHeader
        businessId={businessId}
        conversation={c}
        title={customerTitle(detail.data)}
        headingLevel={headingLevel}
        backTo={backTo}
        customerButton={onShowCustomer ? { onClick: onShowCustomer } : undefined}
        now={now}
      />
      <Box
        ref={scroller}
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
        }}
        sx={{
          flex: 1,
          minHeight: 0,
          overflow: 'auto',
          px: { xs: 1, sm: 2 },
          py: 1.5,
          bgcolor: 'background.default',
        }}
      >
        <ErrorAlert error={calls.error} title="What the assistant did is unavailable" />
        <ErrorAlert error={notes.error} title="Notes unavailable" />
        <Transcript
          businessId={businessId}
          items={items}
          waitingSince={c.status === 'closed' ? null : c.waiting_since}
          typing={typing}
          now={now}
        />
      </Box>
      <Composer
        businessId={businessId}
        conversationId={conversationId}
        closed={c.status === 'closed'}
        aiActive={!c.ai_control.is_stopped}
      />
    </Box>
  );
}
