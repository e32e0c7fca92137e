import { LRUCache } from 'lru-cache';
import type { AppContext } from '../../../context.js';
import { perContext } from '../../../lib/per-context.js';
import { subscribeLocalConversationEvents } from '../../conversations/index.js';
import { getMetaConnection } from '../channels.service.js';
import { sendGraphTyping } from './graph-client.js';
import { findTypingTarget } from './meta-inbound.repository.js';
import { isMetaChannel } from './meta-types.js';

export type TypingLog = (details: Record<string, unknown>, message: string) => void;

interface TypingTarget {
  externalMessageId: string | null;
  messengerPsid: string | null;
}

// What the webhook that stored a customer's message knew of it, for the typing indicator of its turn
// (which usually runs in the same process moments later): that turn then needs no statement to find
// it. A turn run elsewhere (recovery, another process) reads it from the database.
const storedTargets = perContext((_ctx: AppContext) => new LRUCache<string, TypingTarget>({ max: 10_000 }));

/** Keeps the inbound message's Meta id and customer for its turn's typing indicator (see above). */
export function rememberTypingTarget(
  ctx: AppContext,
  messageId: string,
  event: { channel: 'whatsapp' | 'messenger'; customerId: string; externalMessageId: string },
) {
  storedTargets(ctx).set(messageId, {
    externalMessageId: event.externalMessageId,
    messengerPsid: event.channel === 'messenger' ? event.customerId : null,
  });
}

function typingTarget(ctx: AppContext, businessId: string, messageId: string) {
  const targets = storedTargets(ctx);
  const remembered = targets.get(messageId);
  if (!remembered) return findTypingTarget(ctx.db, businessId, messageId);
  targets.delete(messageId);
  return remembered;
}

/**
 * Shows "typing…" to WhatsApp and Messenger customers while the assistant works on their reply: when a
 * turn starts (the processor's `typing` event, heard only in the process running the turn), one Graph
 * call — Messenger `sender_action: typing_on`, WhatsApp mark-as-read with `typing_indicator` (the
 * customer also sees their message as read). Best effort: one attempt with the Graph timeout, never
 * retried, never awaited by the turn; a failure is logged at debug level and forgotten. No
 * `typing_off`: both platforms end the indicator when our reply arrives, or by themselves after 20–25 s.
 * A turn that ended before the call could be made (a fast answer) skips it, so the indicator does not
 * reappear after the reply.
 */
export function createTypingIndicators(ctx: AppContext, log: TypingLog) {
  const { graphApiBaseUrl, graphTimeoutMs } = ctx.config.meta;
  /** Turns in progress (by the message they answer) whose call has not been made yet. */
  const waiting = new Set<string>();
  const calls = new Set<Promise<void>>();
  let unsubscribe: (() => void) | undefined;

  async function show(businessId: string, channel: 'whatsapp' | 'messenger', messageId: string) {
    const connection = await getMetaConnection(ctx, businessId, channel);
    if (!connection?.accessToken) return;
    const target = await typingTarget(ctx, businessId, messageId);
    if (!target || !waiting.has(messageId)) return;
    waiting.delete(messageId);
    const result = await sendGraphTyping({
      channel,
      baseUrl: graphApiBaseUrl,
      accessToken: connection.accessToken,
      senderId: connection.externalId,
      to: target.messengerPsid,
      inboundMessageId: target.externalMessageId,
      timeoutMs: graphTimeoutMs,
    });
    if (result && !result.ok)
      log({ businessId, channel, messageId, error: result.error }, 'typing indicator not shown');
  }

  return {
    start() {
      if (unsubscribe) return;
      unsubscribe = subscribeLocalConversationEvents(ctx, (event) => {
        if (event.type !== 'typing' || !event.message_id || !event.channel) return;
        if (!isMetaChannel(event.channel)) return;
        const messageId = event.message_id;
        if (!event.on) {
          waiting.delete(messageId);
          return;
        }
        waiting.add(messageId);
        const call = show(event.business_id, event.channel, messageId)
          .catch((error) => log({ messageId, error: (error as Error).message }, 'typing indicator not shown'))
          .finally(() => {
            waiting.delete(messageId);
            calls.delete(call);
          });
        calls.add(call);
      });
    },
    async stop() {
      unsubscribe?.();
      unsubscribe = undefined;
      waiting.clear();
      await Promise.allSettled([...calls]);
    },
  };
}
