import { LRUCache } from 'lru-cache';
import type { AppContext } from '../../../context.js';
import { KeyedMutex } from '../../../lib/keyed-mutex.js';
import { perContext } from '../../../lib/per-context.js';
import { withFields } from '../../../lib/with-fields.js';
import { getBusinessConfig } from '../../config-cache/index.js';
import { appendMessage, insertMessage, publishConversationEvent } from '../../conversations/index.js';
import type {
  ConversationProcessor,
  LeaseTicket,
  TakenAtInsert,
} from '../../pipeline/conversation-processor.js';
import { resolveConversation } from '../../pipeline/resolve-conversation.js';
import { historyReadLimit } from '../../templates/index.js';
import { requestProfileLookup } from '../messenger/profile-lookup.js';
import {
  customerName,
  type InboundRow,
  isStored,
  lockCustomer,
  nameCustomer,
  upsertChannelCustomer,
} from './meta-inbound.repository.js';
import type { InboundEvent } from './meta-types.js';
import { rememberTypingTarget } from './typing-indicator.js';

type InboundMessage = Omit<Parameters<typeof appendMessage>[1], 'conversationId'> & InboundRow;

export interface StoredInbound {
  conversationId: string;
  messageId: string;
  sequence: number;
  /** The conversation's lease, when the message's insert took it for the turn that follows. */
  takenAtInsert?: TakenAtInsert;
}

/** Where a returning customer's insert takes the lease for its turn (`ConversationProcessor`). */
type LeaseTaker = Pick<ConversationProcessor, 'leaseAtInsert' | 'leasedAtInsert'>;

// One customer's first contact must create one user and one conversation even when Meta delivers the
// same message several times at once: the user, conversation and message of a first contact are one
// statement (upsertChannelCustomer); one customer's events are serialised in this process here, and
// the general path (an existing user with no active conversation) across processes by an advisory lock.
const perCustomer = new KeyedMutex();

// Customers this process has stored a message for. Only the order of the two fast statements depends
// on it, never the outcome: a known customer is tried as a returning one first, anyone else as a first
// contact first, so a first contact's acknowledgement waits for one statement, not for a failed
// returning-customer insert before it. A customer unknown here (another process, a restart) costs one
// extra statement, once.
const seenCustomers = perContext((_ctx: AppContext) => new LRUCache<string, true>({ max: 100_000 }));

/**
 * Stores one business's inbound messages as `pending`, in Meta's timestamp order: a returning customer's
 * message in one statement (`insertMessage` into the active conversation, found by channel identity,
 * taking the conversation's lease for its turn when it is idle, as the API's insert does), a
 * first contact in one statement too (user, conversation and message), anything else through conversation
 * resolution and `appendMessage` in a transaction. Duplicates (a message id already stored for this
 * business and channel) store nothing. Returns what was stored, for processing after the webhook is acknowledged.
 * A message the page sent itself (`fromPage`, a Messenger echo from Meta's inbox) is stored the same
 * way but as the business's `agent` message, already `delivered`, and is not returned: nothing
 * answers or sends it.
 */
export async function storeInboundEvents(
  ctx: AppContext,
  processor: LeaseTaker,
  businessId: string,
  events: InboundEvent[],
): Promise<StoredInbound[]> {
  const config = await getBusinessConfig(ctx, businessId);
  if (!config) return [];
  const historyLimit = historyReadLimit(config);
  const stored: StoredInbound[] = [];
  const ordered = [...events].sort((a, b) => a.timestamp - b.timestamp);
  for (const event of ordered) {
    const key = `${businessId}:${event.channel}:${event.customerId}`;
    const lease = event.fromPage ? undefined : { processor, ticket: processor.leaseAtInsert(historyLimit) };
    const row = await perCustomer.run(key, () =>
      storeOne(ctx, businessId, config.entryStageId, event, key, lease),
    );
    if (row) stored.push(row);
  }
  return stored;
}

/** A customer message's insert may take the lease with `ticket`; `processor` reads what it took. */
interface LeaseAtStore {
  processor: LeaseTaker;
  ticket: LeaseTicket;
}

async function storeOne(
  ctx: AppContext,
  businessId: string,
  entryStageId: string | null,
  event: InboundEvent,
  lockKey: string,
  lease: LeaseAtStore | undefined,
): Promise<StoredInbound | null> {
  const max = ctx.config.maxMessageChars;
  // Never drop what a customer wrote: an over-long text is kept up to the limit.
  const content =
    (event.text.length > max ? `${event.text.slice(0, max - 1)}…` : event.text).trim() || `[${event.type}]`;
  const metadata =
    event.details || event.type !== 'text' ? { message_type: event.type, ...event.details } : null;
  const fromPage = event.fromPage === true;
  const inbound: InboundMessage = {
    businessId,
    senderType: fromPage ? ('agent' as const) : ('user' as const),
    content,
    status: fromPage ? ('delivered' as const) : ('pending' as const),
    reserveReplySlot: !fromPage,
    channel: event.channel,
    externalMessageId: event.externalMessageId,
    metadata: fromPage ? { ...metadata, sent_from: 'page' } : metadata,
  };
  const stored = await storeForAnyCustomer(ctx, businessId, entryStageId, event, lockKey, inbound, lease);
  if (!stored) return stored;
  if (!fromPage) rememberTypingTarget(ctx, stored.messageId, event);
  publishConversationEvent(ctx, {
    type: 'message',
    business_id: businessId,
    conversation_id: stored.conversationId,
    message_id: stored.messageId,
    sender_type: fromPage ? 'agent' : 'user',
    channel: event.channel,
  });
  return fromPage ? null : stored;
}

/**
 * The common case, ONE statement: a returning customer's message into their active conversation, the
 * customer found by channel identity inside the insert, with the conversation's lease when it is idle.
 * The users row is written only when the channel's profile name changed. Null when there is no such
 * customer or active conversation, or for a duplicate.
 */
async function storeForReturningCustomer(
  ctx: AppContext,
  businessId: string,
  event: InboundEvent,
  inbound: InboundMessage,
  lease: LeaseAtStore | undefined,
): Promise<StoredInbound | null> {
  const fast = await insertMessage(
    ctx.db,
    withFields(inbound, {
      target: { identity: { kind: event.channel, id: event.customerId }, activeOnly: true },
      lease: lease?.ticket,
    }),
  );
  if (!fast) return null;
  const name = customerName(event);
  const stored = fast.ownerName;
  if (name.firstName && (name.firstName !== stored?.firstName || name.lastName !== stored.lastName))
    await nameCustomer(ctx.db, businessId, fast.ownerId, name, 'changed');
  return withLease(toStored(fast.message), inbound, lease, fast.leased);
}

/** What was stored, with the lease its insert took (when it did) for the turn to run on. */
function withLease(
  stored: StoredInbound,
  inbound: InboundMessage,
  lease: LeaseAtStore | undefined,
  leased: Record<string, unknown> | undefined,
): StoredInbound {
  if (!lease || !leased) return stored;
  const pending = { messageId: stored.messageId, content: inbound.content, sequence: stored.sequence };
  return { ...stored, takenAtInsert: lease.processor.leasedAtInsert(lease.ticket, leased, pending) };
}

/**
 * A known customer's message is first tried in their active conversation (one statement); anyone else's
 * as a first contact, stored whole by one statement (user, conversation, message). What neither stores
 * — an existing customer with no active conversation, or a duplicate — goes through conversation
 * resolution under the customer's advisory lock.
 */
async function storeForAnyCustomer(
  ctx: AppContext,
  businessId: string,
  entryStageId: string | null,
  event: InboundEvent,
  lockKey: string,
  inbound: InboundMessage,
  lease: LeaseAtStore | undefined,
): Promise<StoredInbound | null> {
  const seen = seenCustomers(ctx);
  const known = seen.has(lockKey);
  if (known) {
    const stored = await storeForReturningCustomer(ctx, businessId, event, inbound, lease);
    if (stored) return stored;
  }
  const customer = await upsertChannelCustomer(
    ctx.db,
    businessId,
    event,
    { ...inbound, entryStageId },
    lease?.ticket,
  );
  seen.set(lockKey, true);
  // Messenger webhooks carry no name: a new PSID is looked up in the background.
  if (customer.created && event.channel === 'messenger')
    requestProfileLookup(ctx, { businessId, userId: customer.userId, psid: event.customerId });
  if (customer.message) return withLease(toStored(customer.message), inbound, lease, customer.leased);
  if (!known) {
    const stored = await storeForReturningCustomer(ctx, businessId, event, inbound, lease);
    if (stored) return stored;
  }
  return ctx.db.transaction(async (tx) => {
    await lockCustomer(tx, lockKey);
    if (await isStored(tx, businessId, event.channel, event.externalMessageId)) return null;
    const resolved = await resolveConversation(tx, {
      businessId,
      userId: customer.userId,
      entryStageId,
      channel: event.channel,
    });
    const message = await appendMessage(tx, { ...inbound, conversationId: resolved.conversationId });
    if (!message) return null;
    const name = customerName(event);
    if (name.firstName) await nameCustomer(tx, businessId, customer.userId, name, 'changed');
    return toStored(message);
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
