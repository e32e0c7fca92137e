import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../../context.js';
import { publishConversationEvent, subscribeLocalConversationEvents } from '../../conversations/index.js';
import { getMetaConnection } from '../channels.service.js';
import {
  type ClaimedDelivery,
  claimDueDeliveries,
  deferDelivery,
  failDelivery,
  markInFlight,
  recordPartSent,
  scheduleRetry,
} from './deliveries.repository.js';
import { sendGraphText } from './graph-client.js';
import { isMetaChannel } from './meta-types.js';
import { rememberRecordedSend } from './recorded-sends.js';
import { MAX_TEXT, splitText } from './split-text.js';

const POLL_MS = 1000;
const BATCH = 16;
const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * Sends queued WhatsApp/Messenger replies through the Graph API, in every server process. Woken at
 * once when this process stores a reply (its own conversation events) and by a poll for retries and
 * for work another process (stopped or crashed) left behind.
 *
 * Exactly once, by window:
 * - crash before a part is marked in flight: nothing was sent; the lease expires and any process
 *   claims the message again.
 * - crash between the part's in-flight mark (the claim's for the first part it sends, `markInFlight`
 *   for each later one) and `recordPartSent` (the Graph call may or may not have reached Meta): the
 *   part is ambiguous. It is not resent at once: for `reconcileGraceMs` we wait for Meta's
 *   own confirmation — the WhatsApp status webhook carries our reference (`biz_opaque_callback_data`),
 *   the Messenger echo carries it as `metadata` — which records the part as sent. Only if none comes
 *   is the part sent again. The window is one HTTP round trip plus one UPDATE (and, for the part a
 *   claim marked, the connection lookup before the call).
 * - crash after `recordPartSent`: the part is recorded; the next claim continues with the next part.
 * - a timeout or a connection lost mid-call is that same ambiguous case while the process lives: the
 *   in-flight mark stays, and the part is retried only after the grace (or reconciled before it).
 * Network errors that prove nothing was sent, 429 and 5xx are retried with exponential backoff and
 * jitter, up to `graphMaxAttempts` claims; any other 4xx fails the message with Meta's error text.
 *
 * Order while a part is uncertain: only the earliest queued message of a conversation is due, so the
 * message's later parts and the conversation's later replies wait with the uncertain part. They
 * cannot safely go first: if the part turns out to be lost and is sent again after the grace, the
 * customer would read it after them. Only that conversation waits — other conversations' replies go
 * on — and Meta's confirmation ends the wait at once (`recordPartSent` makes the message due again),
 * so the whole grace is spent only when no confirmation comes (the part really was lost, or the
 * webhook is not subscribed to statuses/echoes).
 */
export function createDeliveryWorker(ctx: AppContext, onError: (error: unknown) => void) {
  const owner = `${process.pid}-${randomUUID()}`;
  const { graphApiBaseUrl, graphTimeoutMs, graphMaxAttempts, graphRetryBaseMs, reconcileGraceMs } =
    ctx.config.meta;
  // Long enough for one Graph call and its bookkeeping; extended before each part.
  const leaseSeconds = Math.ceil(graphTimeoutMs / 1000) + 10;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = true;
  let poll: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  const timers = new Set<NodeJS.Timeout>();

  async function drain() {
    do {
      again = false;
      for (;;) {
        const batch = await claimDueDeliveries(ctx.db, owner, leaseSeconds, BATCH);
        if (batch.length === 0) break;
        const outcomes = await Promise.all(
          batch.map((claimed) =>
            deliver(claimed).catch((error) => {
              onError(error);
              return 'done' as const;
            }),
          ),
        );
        // A claim that was not full took everything due then: claim again only for what became due
        // since (a reply queued behind one sent or failed here) — new replies `kick` (`again`).
        if (batch.length < BATCH && !outcomes.includes('unblocked')) break;
      }
    } while (again && !stopped);
  }

  function kick() {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = drain()
      .catch(onError)
      .finally(() => {
        running = undefined;
      });
    return running;
  }

  function wakeAfter(ms: number) {
    const timer = setTimeout(() => {
      timers.delete(timer);
      void kick();
    }, ms);
    timer.unref();
    timers.add(timer);
  }

  /**
   * 'unblocked': the message left the queue (sent or failed) and another of its conversation may be
   * due now; 'done': nothing more to claim on its account (sent with none behind, deferred, retried).
   */
  type Outcome = 'unblocked' | 'done';

  async function fail(claimed: ClaimedDelivery, error: string): Promise<Outcome> {
    const failed = await failDelivery(ctx.db, claimed.messageId, error);
    if (failed)
      publishConversationEvent(ctx, {
        type: 'delivery',
        business_id: failed.businessId,
        conversation_id: failed.conversationId,
        message_id: claimed.messageId,
        delivery_status: 'failed',
        delivery_error: error,
      });
    return 'unblocked';
  }

  async function deliver(claimed: ClaimedDelivery): Promise<Outcome> {
    const { channel } = claimed;
    if (claimed.inFlightPart !== null && claimed.inFlightSince) {
      const until = new Date(claimed.inFlightSince.getTime() + reconcileGraceMs);
      if (until.getTime() > Date.now()) {
        await deferDelivery(ctx.db, claimed.messageId, owner, until);
        wakeAfter(until.getTime() - Date.now() + 50);
        return 'done';
      }
    }
    const connection = await getMetaConnection(ctx, claimed.businessId, channel);
    const label = channel === 'whatsapp' ? 'WhatsApp' : 'Messenger';
    if (!connection?.accessToken)
      return fail(claimed, `${label} is not connected for this business (no access token)`);
    if (!claimed.recipient) return fail(claimed, `The customer has no ${label} identity`);
    const parts = splitText(claimed.content, MAX_TEXT[channel]);
    let outcome: Outcome = 'unblocked';
    for (let part = claimed.partsSent; part < parts.length; part += 1) {
      const marked = part === claimed.markedInFlight;
      if (!marked && !(await markInFlight(ctx.db, claimed.messageId, owner, part, leaseSeconds)))
        return 'done';
      const result = await sendGraphText({
        channel,
        baseUrl: graphApiBaseUrl,
        accessToken: connection.accessToken,
        senderId: connection.externalId,
        to: claimed.recipient,
        text: parts[part] as string,
        reference: `${claimed.messageId}:${part}`,
        timeoutMs: graphTimeoutMs,
      });
      if (!result.ok) {
        if (result.retryable && claimed.attempts < graphMaxAttempts) {
          const exponential = Math.min(MAX_BACKOFF_MS, graphRetryBaseMs * 2 ** (claimed.attempts - 1));
          // Jitter spreads retries of many messages after one outage.
          const backoff = Math.max(
            result.retryAfterMs ?? 0,
            exponential / 2 + Math.random() * (exponential / 2),
          );
          const delay = result.ambiguous ? Math.max(backoff, reconcileGraceMs) : backoff;
          await scheduleRetry(ctx.db, claimed.messageId, owner, delay, result.error, result.ambiguous);
          wakeAfter(delay + 20);
          return 'done';
        }
        return fail(claimed, result.error);
      }
      const recorded = await recordPartSent(ctx.db, {
        messageId: claimed.messageId,
        part,
        graphMessageId: result.messageId,
        last: part === parts.length - 1,
      });
      if (recorded.recorded) rememberRecordedSend(ctx, result.messageId);
      if (recorded.completed) {
        publishConversationEvent(ctx, {
          type: 'delivery',
          business_id: recorded.completed.businessId,
          conversation_id: recorded.completed.conversationId,
          message_id: claimed.messageId,
          delivery_status: 'sent',
        });
        outcome = recorded.followed ? 'unblocked' : 'done';
      }
    }
    return outcome;
  }

  return {
    /** Runs one drain now (tests, and the agent-reply path); resolves when nothing due is left. */
    drain: kick,
    start() {
      if (!stopped) return;
      stopped = false;
      // This process's own events only: the process that stores a reply wakes its own worker. Woken by
      // every process's events, each of N workers ran a claim query per reply, N - 1 of them for nothing;
      // a reply whose process stops first is claimed by another's poll.
      unsubscribe = subscribeLocalConversationEvents(ctx, (event) => {
        if (event.type === 'message' && isMetaChannel(event.channel) && event.sender_type !== 'user')
          void kick();
      });
      poll = setInterval(() => void kick(), POLL_MS);
      poll.unref();
      void kick();
    },
    async stop() {
      stopped = true;
      unsubscribe?.();
      if (poll) clearInterval(poll);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await running;
    },
  };
}

export type DeliveryWorker = ReturnType<typeof createDeliveryWorker>;
