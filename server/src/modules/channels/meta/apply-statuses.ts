import type { AppContext } from '../../../context.js';
import { publishConversationEvent } from '../../conversations/index.js';
import { advanceDeliveryStatus, findQueuedDelivery, recordPartSent } from './deliveries.repository.js';
import { REFERENCE, type StatusEvent } from './meta-types.js';
import { recordedHere } from './recorded-sends.js';
import { MAX_TEXT, splitText } from './split-text.js';

/**
 * Applies delivery statuses to our outbound messages of one business. Statuses only move forward
 * (sent → delivered → read; failed from any of those), since Meta may deliver them out of order. A
 * status carrying our reference for a part we never recorded (we crashed after the send, before
 * writing its answer) records that part as sent first, so it is not sent a second time: the status's
 * own statement says so (`unrecorded`), so a status for a reply already recorded costs one statement,
 * and its `sent` none when this process recorded the send (recorded-sends.ts).
 */
export async function applyStatuses(ctx: AppContext, businessId: string, events: StatusEvent[]) {
  for (const event of events) {
    if (event.reference && event.channel === 'messenger') {
      await reconcile(ctx, businessId, event); // an echo: confirmation only
      continue;
    }
    if (event.status === 'sent' && recordedHere(ctx, event.messageIds)) continue;
    let advanced = await advanceDeliveryStatus(ctx.db, businessId, event);
    if (advanced.unrecorded && (await reconcile(ctx, businessId, event)))
      advanced = await advanceDeliveryStatus(ctx.db, businessId, event);
    for (const row of advanced.changed) {
      publishConversationEvent(ctx, {
        type: 'delivery',
        business_id: businessId,
        conversation_id: row.conversationId,
        message_id: row.messageId,
        delivery_status: event.status,
        ...(event.error ? { delivery_error: event.error } : {}),
      });
    }
  }
}

/** Records the part a status or echo confirms, if we had not; whether it did. */
async function reconcile(ctx: AppContext, businessId: string, event: StatusEvent) {
  const match = REFERENCE.exec(event.reference ?? '');
  const graphId = event.messageIds[0];
  if (!match?.[1] || !graphId || event.status === 'failed') return false;
  const part = Number(match[2]);
  const queued = await findQueuedDelivery(ctx.db, businessId, match[1]);
  if (!queued || queued.partsSent !== part) return false;
  const parts = splitText(queued.content, MAX_TEXT[queued.channel]);
  const result = await recordPartSent(ctx.db, {
    messageId: match[1],
    part,
    graphMessageId: graphId,
    last: part === parts.length - 1,
  });
  if (result.completed) {
    publishConversationEvent(ctx, {
      type: 'delivery',
      business_id: businessId,
      conversation_id: result.completed.conversationId,
      message_id: match[1],
      delivery_status: 'sent',
    });
  }
  return result.recorded;
}
