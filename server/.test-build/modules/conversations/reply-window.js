import { AppError } from '../../errors.js';
import { lastCustomerMessageAt } from './messages.repository.js';
const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;
/**
 * WhatsApp accepts a free-form message only within 24 hours of the customer's last message (after
 * that, only approved templates, which are later work). Refusing here gives the agent a clear 409
 * instead of a queued message that Meta would reject.
 */
export async function assertReplyWindowOpen(ctx, conversation, now = new Date()) {
    if (conversation.channel !== 'whatsapp')
        return;
    const last = await lastCustomerMessageAt(ctx.db, conversation.conversationId);
    if (last && now.getTime() - last.getTime() <= WHATSAPP_WINDOW_MS)
        return;
    throw new AppError('CONFLICT', last
        ? `WhatsApp allows free-form replies only within 24 hours of the customer's last message (last one at ${last.toISOString()}); a template message would be needed`
        : 'WhatsApp allows free-form replies only within 24 hours of a customer message, and this customer has not written', { last_customer_message_at: last?.toISOString() ?? null, window_hours: 24 });
}
//# sourceMappingURL=reply-window.js.map