import { LRUCache } from 'lru-cache';
import type { AppContext } from '../../../context.js';
import { perContext } from '../../../lib/per-context.js';

// Graph message ids of the parts this process sent and recorded as sent. Meta's `sent` status for such
// a part comes moments later and would change nothing (the part is recorded; the message is `sent` or
// still has parts to send), so it is answered without a statement. A status that reaches another
// process, or comes after this process restarted, takes the statement path and is as harmless.
const recordedSends = perContext((_ctx: AppContext) => new LRUCache<string, true>({ max: 10_000 }));

export function rememberRecordedSend(ctx: AppContext, graphMessageId: string) {
  recordedSends(ctx).set(graphMessageId, true);
}

/** Whether every Graph message id named was recorded as sent by this process. */
export function recordedHere(ctx: AppContext, graphMessageIds: string[]) {
  const sends = recordedSends(ctx);
  return graphMessageIds.length > 0 && graphMessageIds.every((id) => sends.has(id));
}
