import { KeyedMutex } from '../../../lib/keyed-mutex.js';
import { getBusinessConfig } from '../../config-cache/index.js';
import { appendMessage, insertMessage, publishConversationEvent } from '../../conversations/index.js';
import { resolveConversation } from '../../pipeline/resolve-conversation.js';
import { requestProfileLookup } from '../messenger/profile-lookup.js';
import { isStored, lockCustomer, upsertChannelCustomer } from './meta-inbound.repository.js';
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
 * A message the page sent itself (`fromPage`, a Messenger echo from Meta's inbox) is stored the same
 * way but as the business's `agent` message, already `delivered`, and is not returned: nothing
 * answers or sends it.
 */
export async function storeInboundEvents(ctx, businessId, events) {
    const config = await getBusinessConfig(ctx, businessId);
    if (!config)
        return [];
    const stored = [];
    const ordered = [...events].sort((a, b) => a.timestamp - b.timestamp);
    for (const event of ordered) {
        const key = `${businessId}:${event.channel}:${event.customerId}`;
        const row = await perCustomer.run(key, () => storeOne(ctx, businessId, config.entryStageId, event, key));
        if (row)
            stored.push(row);
    }
    return stored;
}
async function storeOne(ctx, businessId, entryStageId, event, lockKey) {
    const max = ctx.config.maxMessageChars;
    // Never drop what a customer wrote: an over-long text is kept up to the limit.
    const content = (event.text.length > max ? `${event.text.slice(0, max - 1)}…` : event.text).trim() || `[${event.type}]`;
    const metadata = event.details || event.type !== 'text' ? { message_type: event.type, ...event.details } : null;
    const fromPage = event.fromPage === true;
    const inbound = {
        businessId,
        senderType: fromPage ? 'agent' : 'user',
        content,
        status: fromPage ? 'delivered' : 'pending',
        reserveReplySlot: !fromPage,
        channel: event.channel,
        externalMessageId: event.externalMessageId,
        metadata: fromPage ? { ...metadata, sent_from: 'page' } : metadata,
    };
    // A first contact is stored whole by this one statement (user, conversation, message).
    const customer = await upsertChannelCustomer(ctx.db, businessId, event, { ...inbound, entryStageId });
    // Messenger webhooks carry no name: a new PSID is looked up in the background.
    if (customer.created && event.channel === 'messenger')
        requestProfileLookup(ctx, { businessId, userId: customer.userId, psid: event.customerId });
    const stored = customer.message
        ? toStored(customer.message)
        : await storeMessage(ctx, businessId, entryStageId, event, lockKey, customer, inbound);
    if (!stored)
        return stored;
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
async function storeMessage(ctx, businessId, entryStageId, event, lockKey, customer, inbound) {
    const { userId } = customer;
    // A returning customer: ONE statement into their active conversation. Otherwise (no active
    // conversation, a duplicate, or a first contact whose message id was already taken) the general path.
    if (!customer.created) {
        const fast = await insertMessage(ctx.db, { ...inbound, target: { userId, activeOnly: true } });
        if (fast)
            return toStored(fast.message);
    }
    return ctx.db.transaction(async (tx) => {
        await lockCustomer(tx, lockKey);
        if (await isStored(tx, businessId, event.channel, event.externalMessageId))
            return null;
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
const toStored = (m) => ({
    conversationId: m.conversationId,
    messageId: m.messageId,
    sequence: m.sequenceNumber,
});
//# sourceMappingURL=store-inbound-events.js.map