import { subscribeLocalConversationEvents } from '../../conversations/index.js';
import { getMetaConnection } from '../channels.service.js';
import { sendGraphTyping } from './graph-client.js';
import { findTypingTarget } from './meta-inbound.repository.js';
import { isMetaChannel } from './meta-types.js';
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
export function createTypingIndicators(ctx, log) {
    const { graphApiBaseUrl, graphTimeoutMs } = ctx.config.meta;
    /** Turns in progress (by the message they answer) whose call has not been made yet. */
    const waiting = new Set();
    const calls = new Set();
    let unsubscribe;
    async function show(businessId, channel, messageId) {
        const connection = await getMetaConnection(ctx, businessId, channel);
        if (!connection?.accessToken)
            return;
        const target = await findTypingTarget(ctx.db, businessId, messageId);
        if (!target || !waiting.has(messageId))
            return;
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
            if (unsubscribe)
                return;
            unsubscribe = subscribeLocalConversationEvents(ctx, (event) => {
                if (event.type !== 'typing' || !event.message_id || !event.channel)
                    return;
                if (!isMetaChannel(event.channel))
                    return;
                const messageId = event.message_id;
                if (!event.on) {
                    waiting.delete(messageId);
                    return;
                }
                waiting.add(messageId);
                const call = show(event.business_id, event.channel, messageId)
                    .catch((error) => log({ messageId, error: error.message }, 'typing indicator not shown'))
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
//# sourceMappingURL=typing-indicator.js.map