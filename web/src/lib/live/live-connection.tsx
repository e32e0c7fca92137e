import { type QueryClient, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { isListKey } from '@/lib/api/conversations/conversation-actions';
import { useConversations } from '@/lib/api/conversations/list-conversations';
import type { ConversationEvent } from '@/lib/api/inbox-models';
import { qk } from '@/lib/api/query-keys';
import { useCan } from '@/lib/auth/permissions';
import { useSession } from '@/lib/auth/session';
import { paths } from '@/lib/paths';
import { needsMe, newArrivals, unreadById, withBadge } from './attention';
import { connectLiveEvents, type EventSourceFactory } from './live-events';
import { liveStore } from './live-store';
import { canNotify } from './notifications';
import { refreshPlan } from './refresh-plan';

/**
 * The signed-in dashboard's one live stream for the business on screen (mounted once, in the app
 * shell): keeps the conversation queries fresh, the assistant's typing state, the title badge and the
 * browser notifications. Renders nothing.
 */
export function LiveConnection({ open }: { open?: EventSourceFactory } = {}) {
  const { businessId: selected, user } = useSession();
  // The stream is for those who handle conversations (api.md: agent); a viewer's lists poll instead.
  const businessId = useCan('conversations.handle').allowed ? selected : null;
  const qc = useQueryClient();
  useLiveStream(businessId, qc, open);
  useAttention(businessId, user?.id ?? null);
  return null;
}

function useLiveStream(businessId: string | null, qc: QueryClient, open?: EventSourceFactory) {
  useEffect(() => {
    if (!businessId || (!open && typeof EventSource === 'undefined')) {
      liveStore.reset();
      return;
    }
    const bid = businessId;
    // Events come in bursts (a turn: message, stage, typing, message): one refetch per burst.
    let lists = false;
    const keys = new Map<string, readonly unknown[]>();
    let timer: ReturnType<typeof setTimeout> | null = null;
    function flush() {
      timer = null;
      if (lists)
        void qc.invalidateQueries({
          queryKey: qk.conversations.all(bid),
          predicate: (q) => isListKey(q.queryKey),
        });
      for (const key of keys.values()) void qc.invalidateQueries({ queryKey: key });
      lists = false;
      keys.clear();
    }
    function schedule() {
      timer ??= setTimeout(flush, 150);
    }
    function onEvent(event: ConversationEvent) {
      if (event.business_id && event.business_id !== bid) return;
      if (event.type === 'typing') liveStore.setTyping(event.conversation_id, event.on);
      else if (event.type === 'message' && event.sender_type !== 'user')
        liveStore.setTyping(event.conversation_id, false);
      const plan = refreshPlan(bid, event);
      if (!plan.lists && plan.keys.length === 0) return;
      lists ||= plan.lists;
      for (const k of plan.keys) keys.set(JSON.stringify(k), k);
      schedule();
    }
    const stop = connectLiveEvents({
      businessId: bid,
      onEvent,
      onResync: () => {
        void qc.invalidateQueries({ queryKey: qk.conversations.all(bid) });
      },
      onStatus: liveStore.setStatus,
      open,
    });
    return () => {
      stop();
      if (timer) clearTimeout(timer);
      liveStore.reset();
    };
  }, [businessId, qc, open]);
}

/** The title badge and browser notifications, from the waiting conversations that need me. */
function useAttention(businessId: string | null, myAccountId: string | null) {
  const waiting = useConversations(businessId, { status: 'active', waiting: true, per_page: 100 });
  const navigate = useNavigate();
  const location = useLocation();
  const seen = useRef<Map<string, number> | null>(null);
  const rows = waiting.data?.conversations;
  const mine = useMemo(() => (rows ? needsMe(rows, myAccountId) : null), [rows, myAccountId]);
  const count = mine?.length ?? 0;

  // A business switch starts over: nothing is announced for what was already there.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset on a business change only
  useEffect(() => {
    seen.current = null;
  }, [businessId]);

  useEffect(() => {
    const apply = () => {
      const next = withBadge(document.title, count);
      if (next !== document.title) document.title = next;
    };
    apply();
    // Pages set their own titles: keep the badge in front of whichever is current.
    const observer = new MutationObserver(apply);
    observer.observe(document.head, { subtree: true, childList: true, characterData: true });
    return () => {
      observer.disconnect();
      document.title = withBadge(document.title, 0);
    };
  }, [count]);

  useEffect(() => {
    if (!mine || waiting.isPlaceholderData) return;
    const arrivals = newArrivals(seen.current, mine);
    seen.current = unreadById(mine);
    if (!canNotify()) return;
    for (const c of arrivals) {
      const viewing =
        document.visibilityState === 'visible' && location.pathname === paths.conversation(c.conversation_id);
      if (viewing) continue;
      const n = new Notification(`${c.user_name || 'A customer'} is waiting`, {
        body: c.last_message?.message_content ?? 'New message',
        tag: c.conversation_id,
      });
      n.onclick = () => {
        window.focus();
        navigate(paths.conversation(c.conversation_id));
        n.close();
      };
    }
  }, [mine, waiting.isPlaceholderData, location.pathname, navigate]);
}
