import { sql } from 'drizzle-orm';
import type { AppContext } from '../../../context.js';
import { rowsOf } from '../../../db/raw-rows.js';
import { publishConversationEvent } from '../../conversations/index.js';
import { findQueuedDelivery, recordPartSent } from './deliveries.repository.js';
import type { StatusEvent } from './meta-types.js';
import { MAX_TEXT, splitText } from './split-text.js';

const REFERENCE = /^([0-9a-f-]{36}):(\d+)$/;

/**
 * Applies delivery statuses to our outbound messages of one business. Statuses only move forward
 * (sent → delivered → read; failed from any of those), since Meta may deliver them out of order. A
 * status carrying our reference for a part we never recorded (we crashed after the send, before
 * writing its answer) records that part as sent first, so it is not sent a second time.
 */
export async function applyStatuses(ctx: AppContext, businessId: string, events: StatusEvent[]) {
  for (const event of events) {
    if (event.reference) await reconcile(ctx, businessId, event);
    // Drizzle would spread a JS array into a parameter list; pass it as JSON instead.
    const ids = sql`ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(event.messageIds)}::jsonb))`;
    if (event.reference && event.channel === 'messenger') continue; // an echo: confirmation only
    const rows = rowsOf(
      await ctx.db.execute(sql`
      WITH target AS (
        SELECT m.message_id FROM messages m
         WHERE m.business_id = ${businessId} AND m.channel = ${event.channel}
           AND m.sender_type IN ('assistant', 'agent')
           AND (m.external_message_id = ANY(${ids})
                OR m.message_id IN (SELECT d.message_id FROM message_deliveries d
                                     WHERE d.business_id = ${businessId}
                                       AND d.graph_message_ids && ${ids})
                OR (${event.watermark}::bigint IS NOT NULL AND cardinality(${ids}) = 0
                    AND m.created_at <= to_timestamp(${event.watermark}::bigint / 1000.0)
                    AND m.conversation_id IN (
                      SELECT c.conversation_id FROM conversations c JOIN users u ON u.user_id = c.user_id
                       WHERE c.business_id = ${businessId} AND u.messenger_psid = ${event.customerId})))
      )
      UPDATE messages m
         SET status = ${event.status},
             metadata = CASE WHEN ${event.error}::text IS NULL THEN m.metadata
                             ELSE coalesce(m.metadata, '{}'::jsonb) || jsonb_build_object('delivery_error', ${event.error}::text) END
        FROM target
       WHERE m.message_id = target.message_id
         AND (CASE m.status WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3 ELSE 9 END)
           < (CASE ${event.status}::text WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3 ELSE 4 END)
      RETURNING m.message_id, m.conversation_id`),
    );
    for (const row of rows) {
      publishConversationEvent(ctx, {
        type: 'delivery',
        business_id: businessId,
        conversation_id: String(row.conversation_id),
        message_id: String(row.message_id),
        delivery_status: event.status,
        ...(event.error ? { delivery_error: event.error } : {}),
      });
    }
  }
}

async function reconcile(ctx: AppContext, businessId: string, event: StatusEvent) {
  const match = REFERENCE.exec(event.reference ?? '');
  const graphId = event.messageIds[0];
  if (!match?.[1] || !graphId || event.status === 'failed') return;
  const part = Number(match[2]);
  const queued = await findQueuedDelivery(ctx.db, businessId, match[1]);
  if (!queued || queued.partsSent !== part) return;
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
}
