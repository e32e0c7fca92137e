import { LRUCache } from 'lru-cache';
import type { AppContext } from '../../../context.js';

// Graph message ids of the parts this process sent and recorded as sent. Meta's `sent` status for such
// a part comes moments later and would change nothing (the part is recorded; the message is `sent` or
// still has parts to send), so it is answered without a statement. A status that reaches another
// process, or comes after this process restarted, takes the statement path and is as harmless.
const recorded = new WeakMap<AppContext, LRUCache<string, true>>();

export function rememberRecordedSend(ctx: AppContext, graphMessageId: string) {
  let sends = recorded.get(ctx);
  if (!sends) {
    sends = new LRUCache<string, true>({ max: 10_000 });
    recorded.set(ctx, sends);
  }
  sends.set(graphMessageId, true);
}

/** Whether every Graph message id named was recorded as sent by this process. */
export function recordedHere(ctx: AppContext, graphMessageIds: string[]) {
  const sends = recorded.get(ctx);
  return Boolean(sends) && graphMessageIds.length > 0 && graphMessageIds.every((id) => sends?.has(id));
}
