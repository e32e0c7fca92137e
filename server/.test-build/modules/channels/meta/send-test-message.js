import { AppError } from '../../../errors.js';
import { getMetaConnection } from '../channels.service.js';
import { sendGraphText } from './graph-client.js';
import { TEST_REFERENCE } from './meta-types.js';
import { MAX_TEXT } from './split-text.js';
const LABEL = { whatsapp: 'WhatsApp', messenger: 'Messenger' };
/**
 * The settings page's "send a test message": one synchronous Graph API send with the stored
 * credentials, so a business sees at once whether its token and number/page work. Not stored in any
 * conversation.
 */
export async function sendTestMessage(ctx, businessId, channel, input) {
    const connection = await getMetaConnection(ctx, businessId, channel);
    if (!connection?.accessToken)
        throw new AppError('CONFLICT', `${LABEL[channel]} is not connected: save the ${channel === 'whatsapp' ? 'phone number id and access token' : 'page id and page access token'} first`);
    const text = (input.text?.trim() || `Test message from ICMP: your ${LABEL[channel]} connection works.`).slice(0, MAX_TEXT[channel]);
    const result = await sendGraphText({
        channel,
        baseUrl: ctx.config.meta.graphApiBaseUrl,
        accessToken: connection.accessToken,
        senderId: connection.externalId,
        to: input.to.trim(),
        text,
        // Marks the send as ours: its Messenger echo is not mistaken for a page's own message.
        reference: TEST_REFERENCE,
        timeoutMs: ctx.config.meta.graphTimeoutMs,
    });
    if (result.ok)
        return { success: true, channel, to: input.to.trim(), graph_message_id: result.messageId };
    const details = { graph_status: result.status, graph_error: result.error };
    // Meta refusing the request (bad token, number not allowed…) is the business's to fix: a 400 with
    // Meta's words. Meta unavailable or not answering is a dependency failure: 502.
    if (result.status !== null && !result.retryable)
        throw new AppError('VALIDATION_ERROR', `${LABEL[channel]} refused the test message: ${result.error}`, details);
    throw new AppError('SERVICE_ERROR', `${LABEL[channel]} could not be reached: ${result.error}`, details, 502);
}
//# sourceMappingURL=send-test-message.js.map