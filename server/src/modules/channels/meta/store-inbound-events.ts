import type { AppContext } from '../../../context.js';
import { KeyedMutex } from '../../../lib/keyed-mutex.js';
import { getBusinessConfig } from '../../config-cache/index.js';
import { appendMessage, insertMessage } from '../../conversations/index.js';
import { resolveConversation } from '../../pipeline/resolve-conversation.js';
import { isStored, lockCustomer, upsertChannelCustomer } from './meta-inbound.repository.js';
import type { InboundEvent } from './meta-types.js';

export interface StoredInbound {
  conversationId: string;
  messageId: string;
  sequence: number;
}

// One customer's first contact must create one user and one conversation even when Meta delivers the
// same message several times at once: the user, conversation and message of a first contact are one
// statement (upsertChannelCustomer); one customer's events are serialised in this process here, and
// the general path (an existing user with no active conversation) across processes by an advisory lock.
const perCustomer = new KeyedMutex();

/**
 * Stores one business's inbound messages as `pending`, in Meta's timestamp order: a first contact in
 * one statement, a returning customer in two (the customer upsert, then `insertMessage` into the active
 * conversation), anything else through conversation resolution and `appendMessage` in a transaction. Duplicates (a message id already stored for this business and
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
  const max = ctx.config.maxMessageChars;
  // Never drop what a customer wrote: an over-long text is kept up to the limit.
  const content =
    (event.text.length > max ? `${event.text.slice(0, max - 1)}…` : event.text).trim() || `[${event.type}]`;
  const metadata =
    event.details || event.type !== 'text' ? { message_type: event.type, ...event.details } : null;
  // A first contact is stored whole by this one statement (user, conversation, message).
  const customer = await upsertChannelCustomer(ctx.db, businessId, event, {
    content,
    metadata,
    entryStageId,
  });
  if (customer.message) return toStored(customer.message);
  const userId = customer.userId;
  const inbound = {
    businessId,
    senderType: 'user' as const,
    content,
    status: 'pending',
    reserveReplySlot: true,
    channel: event.channel,
    externalMessageId: event.externalMessageId,
    metadata,
  };
  // A returning customer: ONE statement into their active conversation. Otherwise (no active
  // conversation, a duplicate, or a first contact whose message id was already taken) the general path.
  if (!customer.created) {
    const fast = await insertMessage(ctx.db, { ...inbound, target: { userId, activeOnly: true } });
    if (fast) return toStored(fast.message);
  }
  return ctx.db.transaction(async (tx) => {
    await lockCustomer(tx, lockKey);
    if (await isStored(tx, businessId, event.channel, event.externalMessageId)) return null;
    const resolved = await resolveConversation(tx, {
      businessId,
      userId,
      entryStageId,
      channel: event.channel,
    });
    const message = await appendMessage(tx, { ...inbound, conversationId: resolved.conversationId });
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
