import { sql } from 'drizzle-orm';
import type { AppContext } from '../../../context.js';
import { rowsOf } from '../../../db/raw-rows.js';
import { KeyedMutex } from '../../../lib/keyed-mutex.js';
import { getBusinessConfig } from '../../config-cache/business-config-cache.js';
import { appendMessage } from '../../conversations/append-message.js';
import { resolveConversation } from '../../pipeline/resolve-conversation.js';
import { storeInboundInExistingConversation } from '../../pipeline/store-inbound.js';
import type { InboundEvent } from './meta-types.js';

export interface StoredInbound {
  conversationId: string;
  messageId: string;
  sequence: number;
}

// One customer's first contact must create one user and one conversation even when Meta delivers the
// same message several times at once: serialised in this process here, across processes by an
// advisory lock in the slow path.
const perCustomer = new KeyedMutex();

const IDENTITY_COLUMN = { whatsapp: sql.raw('whatsapp_id'), messenger: sql.raw('messenger_psid') } as const;

/**
 * Stores one business's inbound messages as `pending`, in Meta's timestamp order, reusing the
 * pipeline's storage (one statement into the customer's active conversation; conversation resolution
 * and `appendMessage` otherwise). Duplicates (a message id already stored for this business and
 * channel) store nothing. Returns what was stored, for processing after the webhook is acknowledged.
 */
export async function storeInboundEvents(
  ctx: AppContext,
  businessId: string,
  events: InboundEvent[],
): Promise<StoredInbound[]> {
  const config = await getBusinessConfig(ctx, businessId);
  if (!config) return [];
  const stored: StoredInbound[] = [];
  const ordered = [...events].sort((a, b) => a.timestamp - b.timestamp);
  for (const event of ordered) {
    const key = `${businessId}:${event.channel}:${event.customerId}`;
    const row = await perCustomer.run(key, () => storeOne(ctx, businessId, config.entryStageId, event, key));
    if (row) stored.push(row);
  }
  return stored;
}

async function storeOne(
  ctx: AppContext,
  businessId: string,
  entryStageId: string | null,
  event: InboundEvent,
  lockKey: string,
): Promise<StoredInbound | null> {
  const customer = await upsertCustomer(ctx, businessId, event);
  const userId = customer.userId;
  const max = ctx.config.maxMessageChars;
  // Never drop what a customer wrote: an over-long text is kept up to the limit.
  const content =
    (event.text.length > max ? `${event.text.slice(0, max - 1)}…` : event.text).trim() || `[${event.type}]`;
  const metadata =
    event.details || event.type !== 'text' ? { message_type: event.type, ...event.details } : null;
  // A customer seen for the first time has no conversation yet: go straight to the general path.
  if (!metadata && !customer.created) {
    const fast = await storeInboundInExistingConversation(ctx.db, {
      businessId,
      content,
      channel: event.channel,
      userId,
      externalMessageId: event.externalMessageId,
    });
    if (fast) return toStored(fast.message);
  }
  return ctx.db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${lockKey}))`);
    const [duplicate] = rowsOf(
      await tx.execute(sql`
      SELECT 1 FROM messages
       WHERE business_id = ${businessId} AND channel = ${event.channel}
         AND external_message_id = ${event.externalMessageId}`),
    );
    if (duplicate) return null;
    const resolved = await resolveConversation(tx, {
      businessId,
      userId,
      entryStageId,
      channel: event.channel,
    });
    const message = await appendMessage(tx, {
      conversationId: resolved.conversationId,
      businessId,
      senderType: 'user',
      content,
      status: 'pending',
      reserveReplySlot: true,
      channel: event.channel,
      externalMessageId: event.externalMessageId,
      metadata,
    });
    return message ? toStored(message) : null;
  });
}

const toStored = (m: {
  conversationId: string;
  messageId: string;
  sequenceNumber: number;
}): StoredInbound => ({
  conversationId: m.conversationId,
  messageId: m.messageId,
  sequence: m.sequenceNumber,
});

/** The customer's user (one per channel identity), created on first contact; WhatsApp names it. */
async function upsertCustomer(ctx: AppContext, businessId: string, event: InboundEvent) {
  const column = IDENTITY_COLUMN[event.channel];
  const name = (event.customerName ?? '').trim();
  const [first = '', ...rest] = name ? name.split(/\s+/) : [];
  const [row] = rowsOf(
    await ctx.db.execute(sql`
    INSERT INTO users (business_id, ${column}, first_name, last_name)
    VALUES (${businessId}, ${event.customerId}, ${first}, ${rest.join(' ')})
    ON CONFLICT (business_id, ${column}) DO UPDATE
       SET first_name = CASE WHEN EXCLUDED.first_name = '' THEN users.first_name ELSE EXCLUDED.first_name END,
           last_name = CASE WHEN EXCLUDED.first_name = '' THEN users.last_name ELSE EXCLUDED.last_name END
    RETURNING user_id, (xmax = 0) AS created`),
  );
  if (!row) throw new Error('customer upsert returned nothing');
  return { userId: String(row.user_id), created: row.created === true || row.created === 't' };
}
