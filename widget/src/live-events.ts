import type { ApiClient } from './api-client';
import type { SseEvent } from './sse';

export interface LiveEventsOptions {
  client: ApiClient;
  /** Where to resume: the newest message the widget shows (sent as `Last-Event-ID`). */
  lastMessageId: () => string | null;
  onEvent: (event: SseEvent) => void;
  /** Called with true once the stream is open, false while reconnecting. */
  onStatus?: (connected: boolean) => void;
  /** A 401/403/404: the token or channel is gone; reconnecting would not help. */
  onFatal?: (error: unknown) => void;
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const isFatal = (error: unknown) => {
  const status = (error as { status?: number })?.status;
  return status === 401 || status === 403 || status === 404;
};

function defaultSleep(ms: number, signal: AbortSignal) {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Keeps GET /api/widget/events open: on every drop it reconnects after an exponential, jittered delay
 * (reset once a connection has delivered something) and resumes after the last message it has, so
 * nothing pushed while it was away is lost. `stop()` ends it for good.
 */
export function startLiveEvents(options: LiveEventsOptions) {
  const controller = new AbortController();
  const base = options.baseDelayMs ?? 1000;
  const max = options.maxDelayMs ?? 30_000;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  let attempt = 0;

  const loop = async () => {
    while (!controller.signal.aborted) {
      let received = false;
      try {
        await options.client.events(
          options.lastMessageId(),
          (event) => {
            if (!received) {
              received = true;
              attempt = 0;
              options.onStatus?.(true);
            }
            options.onEvent(event);
          },
          controller.signal,
        );
      } catch (error) {
        if (controller.signal.aborted) return;
        if (isFatal(error)) {
          options.onStatus?.(false);
          options.onFatal?.(error);
          return;
        }
      }
      if (controller.signal.aborted) return;
      options.onStatus?.(false);
      const delay = Math.min(max, base * 2 ** attempt) * (0.5 + random() / 2);
      attempt = Math.min(attempt + 1, 16);
      await sleep(delay, controller.signal);
    }
  };
  const done = loop();
  return {
    stop() {
      controller.abort();
      return done;
    },
  };
}
