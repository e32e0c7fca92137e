import { publishConversationEvent } from './conversation-events.js';
/**
 * Channels whose clients are reached by the response itself or by a live stream of our own (API,
 * simulator, the website widget's SSE): for them, storing the message IS the delivery.
 */
const DIRECT_CHANNELS = new Set(['api', 'simulator', 'web']);
export const isDirectChannel = (channel) => DIRECT_CHANNELS.has(channel);
/**
 * The status an outbound message (assistant or agent) is stored with: `sent` where storing delivers
 * it; `queued` on a channel reached through another platform (WhatsApp, Messenger), where a sender
 * moves it on to `sent`/`failed`.
 */
export const outboundStatus = (channel) => (isDirectChannel(channel) ? 'sent' : 'queued');
/** Tells live views and channel senders that an outbound message was stored. */
export function announceOutboundMessage(ctx, message) {
    publishConversationEvent(ctx, {
        type: 'message',
        business_id: message.businessId,
        conversation_id: message.conversationId,
        message_id: message.messageId,
        sender_type: message.senderType,
        channel: message.channel,
    });
}
/** Delivers a stored agent reply on the conversation's channel. */
export async function deliverAgentReply(ctx, _conversation, message) {
    announceOutboundMessage(ctx, message);
}
//# sourceMappingURL=deliver-agent-reply.js.map