import type { ConversationEvent, ConversationEventType } from '@/lib/api/inbox-models';
import type { LiveStatus } from './live-store';

const EVENT_TYPES: readonly ConversationEventType[] = [
  'message',
  'typing',
  'delivery',
  'stage',
  'ai',
  'handoff',
  'assignment',
  'status',
  'note',
  'conversation',
];

/** The part of the browser's EventSource this client uses (tests pass a fake). */
export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (e: MessageEvent) => void): void;
  onerror: ((e: Event) => void) | null;
  close(): void;
}
export type EventSourceFactory = (url: string) => EventSourceLike;

export interface LiveEventsOptions {
  businessId: string;
  onEvent: (event: ConversationEvent) => void;
  /** The server could not replay what was missed (or nothing could be asked for): refetch everything. */
  onResync: () => void;
  onStatus: (status: LiveStatus) => void;
  open?: EventSourceFactory;
  /** Delay before reopening a stream the browser gave up on (attempt from 0). */
  backoffMs?: (attempt: number) => number;
}

const CLOSED = 2;

export function liveEventsUrl(businessId: string, lastEventId: string | null): string {
  const q = new URLSearchParams({ business_id: businessId });
  if (lastEventId) q.set('last_event_id', lastEventId);
  return `/api/conversations/events?${q}`;
}

/**
 * One `GET /api/conversations/events` stream (inbox contract, "Live events"). The browser reconnects
 * by itself after a dropped connection, sending `Last-Event-ID`; when it gives up (an error status,
 * the server gone), this opens a new stream after a backoff with `last_event_id`, so the server can
 * still replay what was missed — or answer `resync`. Returns the function that stops it.
 */
export function connectLiveEvents({
  businessId,
  onEvent,
  onResync,
  onStatus,
  open = (url) => new EventSource(url, { withCredentials: true }),
  backoffMs = (attempt) => Math.min(30_000, 1000 * 2 ** attempt),
}: LiveEventsOptions): () => void {
  let lastEventId: string | null = null;
  let source: EventSourceLike | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let attempt = 0;
  let everReady = false;
  let stopped = false;

  function connect() {
    const resumeFrom = lastEventId;
    const es = open(liveEventsUrl(businessId, resumeFrom));
    source = es;
    onStatus(everReady ? 'reconnecting' : 'connecting');
    es.addEventListener('ready', () => {
      attempt = 0;
      const reconnected = everReady;
      everReady = true;
      onStatus('live');
      // Back after a gap with nothing to resume from: what happened meanwhile is unknown.
      if (reconnected && !resumeFrom && !lastEventId) onResync();
    });
    es.addEventListener('resync', () => onResync());
    for (const type of EVENT_TYPES) {
      es.addEventListener(type, (e: MessageEvent) => {
        if (e.lastEventId) lastEventId = e.lastEventId;
        let event: ConversationEvent;
        try {
          event = { ...JSON.parse(String(e.data)), type } as ConversationEvent;
        } catch {
          return;
        }
        onEvent(event);
      });
    }
    es.onerror = () => {
      if (stopped) return;
      onStatus('reconnecting');
      if (es.readyState !== CLOSED) return; // the browser retries by itself
      es.close();
      const delay = backoffMs(attempt++);
      timer = setTimeout(() => {
        timer = null;
        if (!stopped) connect();
      }, delay);
    };
  }

  connect();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    source?.close();
  };
}
