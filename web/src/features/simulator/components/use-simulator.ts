import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { getConversation } from '@/lib/api/conversations/get-conversation';
import { useConversations } from '@/lib/api/conversations/list-conversations';
import { streamMessage } from '@/lib/api/messages/stream-message';
import { qk } from '@/lib/api/query-keys';
import { useStages } from '@/lib/api/stages/list-stages';
import type { PastMessage, SimTurn } from './simulator-state';

/**
 * The simulator's chat state: the conversation being continued (or none: the first message creates a
 * test customer), earlier messages, the streamed turns, and which turn the pipeline panel shows.
 */
export function useSimulator(businessId: string) {
  const qc = useQueryClient();
  const stages = useStages(businessId);
  // Simulator conversations are left out of every list unless asked for by channel.
  const conversations = useConversations(businessId, {
    per_page: 50,
    status: 'active',
    channel: 'simulator',
  });
  const [conversationId, setConversationId] = useState<string | null>(null);
  const [userId, setUserId] = useState<string | null>(null);
  const [past, setPast] = useState<PastMessage[]>([]);
  const [turns, setTurns] = useState<SimTurn[]>([]);
  const [selected, setSelected] = useState<number | null>(null);
  const [text, setText] = useState('');
  /** Which configuration answers: the working draft, or the published release live traffic uses. */
  const [configuration, setConfiguration] = useState<'draft' | 'published'>('draft');
  const [loadError, setLoadError] = useState<unknown>(null);
  const [loadingExisting, setLoadingExisting] = useState(false);
  const abort = useRef<AbortController | null>(null);
  const endRef = useRef<HTMLDivElement | null>(null);
  const inputRef = useRef<HTMLTextAreaElement | null>(null);
  const names = new Map((stages.data?.stages ?? []).map((s) => [s.stage_id, s.stage_name]));
  const stageName = (id?: string | null) => (id ? (names.get(id) ?? null) : null);
  const sending = turns.some((t) => t.status === 'streaming');

  useEffect(() => () => abort.current?.abort(), []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll down whenever the chat grows
  useEffect(() => {
    endRef.current?.scrollIntoView?.({ block: 'end' });
  }, [turns, past]);

  const patch = (index: number, f: (t: SimTurn) => SimTurn) =>
    setTurns((ts) => ts.map((t) => (t.index === index ? f(t) : t)));

  function reset() {
    abort.current?.abort();
    setConversationId(null);
    setUserId(null);
    setPast([]);
    setTurns([]);
    setSelected(null);
    setLoadError(null);
    setText('');
    inputRef.current?.focus();
  }

  async function openExisting(id: string) {
    reset();
    if (!id) return;
    setLoadingExisting(true);
    try {
      const d = await getConversation(businessId, id);
      setConversationId(d.conversation.conversation_id);
      setUserId(d.conversation.user_id);
      setPast(
        [...d.messages]
          .sort((a, b) => a.sequence_number - b.sequence_number)
          .map((m) => ({ id: m.message_id, sender: m.sender_type, text: m.message_content })),
      );
    } catch (e) {
      setLoadError(e);
    } finally {
      setLoadingExisting(false);
    }
  }

  async function send(e?: FormEvent) {
    e?.preventDefault();
    const content = text.trim();
    if (!content || sending) return;
    const index = (turns[turns.length - 1]?.index ?? 0) + 1;
    setTurns((ts) => [...ts, { index, userText: content, reply: '', status: 'streaming', steps: [] }]);
    setSelected(null);
    setText('');
    const controller = new AbortController();
    abort.current = controller;
    try {
      const res = await streamMessage(
        {
          business_id: businessId,
          content,
          channel: 'simulator',
          configuration,
          ...(userId ? { user_id: userId } : {}),
          ...(conversationId ? { conversation_id: conversationId } : {}),
        },
        {
          onStage: (s) => patch(index, (t) => ({ ...t, stage: s })),
          onExtracted: (x) => patch(index, (t) => ({ ...t, extracted: x.extracted_data })),
          onStep: (s) => patch(index, (t) => ({ ...t, steps: [...t.steps, s] })),
          onToken: (tok) => patch(index, (t) => ({ ...t, reply: t.reply + tok })),
        },
        controller.signal,
      );
      setConversationId(res.conversation_id);
      if (res.user_id) setUserId(res.user_id);
      patch(index, (t) => ({
        ...t,
        status: 'done',
        messageId: res.message_id,
        reply: res.response ?? t.reply,
        stage: res.stage_id
          ? {
              stage_id: res.stage_id,
              stage_name: res.stage_name ?? '',
              previous_stage_id: res.previous_stage_id ?? null,
            }
          : t.stage,
        extracted: res.extracted_data ?? t.extracted,
        steps:
          res.processing_steps && res.processing_steps.length >= t.steps.length
            ? res.processing_steps
            : t.steps,
        fallback: res.fallback,
        aiStopped: res.ai_stopped,
      }));
      qc.invalidateQueries({ queryKey: qk.conversations.all(businessId) });
    } catch (err) {
      if ((err as Error).name === 'AbortError') return;
      patch(index, (t) => ({ ...t, status: 'error', error: err }));
    } finally {
      if (abort.current === controller) abort.current = null;
      inputRef.current?.focus();
    }
  }

  function onKeyDown(e: KeyboardEvent) {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      send();
    }
  }

  const current = turns.find((t) => t.index === selected) ?? turns[turns.length - 1] ?? null;
  return {
    stages,
    conversations,
    conversationId,
    past,
    turns,
    current,
    select: setSelected,
    text,
    setText,
    sending,
    loadError,
    loadingExisting,
    endRef,
    inputRef,
    stageName,
    configuration,
    setConfiguration,
    reset,
    openExisting,
    send,
    stop: () => abort.current?.abort(),
    onKeyDown,
  };
}
