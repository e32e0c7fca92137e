import { fromJson, toDate } from '../../db/raw-rows.js';
import { aiControlStatus, isAiStopped } from './ai-control.js';
import { customerName } from './customer-name.js';
/** Several extraction rows of one message merge in order (later values win); none → null. */
export function mergeExtracted(parts) {
    const list = fromJson(parts);
    if (!list || list.length === 0)
        return null;
    return Object.assign({}, ...list);
}
const isOutbound = (senderType) => senderType === 'assistant' || senderType === 'agent';
function deliveryError(metadata) {
    const error = metadata?.delivery_error;
    return typeof error === 'string' ? error : null;
}
export function serializeMessage(row, extracted = null) {
    return {
        message_id: row.messageId,
        conversation_id: row.conversationId,
        sender_type: row.senderType,
        message_content: row.messageContent,
        sequence_number: row.sequenceNumber,
        channel: row.channel,
        external_message_id: row.externalMessageId,
        status: row.status,
        delivery_status: isOutbound(row.senderType) ? row.status : null,
        delivery_error: deliveryError(row.metadata),
        stage_id: row.stageId,
        reply_to_message_id: row.replyToMessageId,
        created_at: row.createdAt.toISOString(),
        extracted_data: extracted,
    };
}
export const serializeMessageWithExtracted = (row) => serializeMessage(row.message, mergeExtracted(row.extracted));
export function serializeConversationSummary(row, now = new Date()) {
    const c = row.conversation;
    const last = fromJson(row.lastMessage);
    return {
        conversation_id: c.conversationId,
        business_id: c.businessId,
        user_id: c.userId,
        user_name: nameOf(row),
        stage_id: c.stageId,
        stage_name: row.stageName,
        agent_id: c.agentId,
        status: c.status,
        channel: c.channel,
        session_id: c.sessionId,
        start_time: c.startTime.toISOString(),
        last_updated: c.lastUpdated.toISOString(),
        message_count: Number(row.messageCount),
        last_message: last
            ? {
                message_content: last.message_content,
                sender_type: last.sender_type,
                created_at: toDate(last.created_at).toISOString(),
            }
            : null,
        collected_data: c.collectedData ?? {},
        ai_stopped: isAiStopped(c, now),
        assignee_id: c.assigneeAccountId,
        assignee_name: c.assigneeAccountId ? (row.assigneeName ?? null) : null,
        waiting_since: c.waitingSince ? toDate(c.waitingSince).toISOString() : null,
        unread_count: Number(row.unreadCount ?? 0),
    };
}
const nameOf = (row) => customerName({
    ...row.customer,
    userId: row.conversation.userId,
    channel: row.conversation.channel,
    collectedData: row.conversation.collectedData ?? {},
});
/** The customer of a conversation, as its detail shows them. */
export function serializeCustomer(row) {
    const u = row.customer;
    return {
        user_id: row.conversation.userId,
        name: nameOf(row),
        first_name: u.firstName,
        last_name: u.lastName,
        email: u.email,
        phone: u.phone,
        whatsapp_id: u.whatsappId,
        messenger_psid: u.messengerPsid,
    };
}
/** The conversation with its AI-control status, as the detail and PATCH answer it. */
export function serializeConversation(row, now = new Date()) {
    return { ...serializeConversationSummary(row, now), ai_control: aiControlStatus(row.conversation, now) };
}
/** `operator`: the master key or a platform admin, who also sees the provider's own error text. */
export function serializeLlmCall(row, operator = false) {
    return {
        llm_call_id: row.llmCallId,
        business_id: row.businessId,
        conversation_id: row.conversationId,
        message_id: row.messageId,
        template_id: row.templateId,
        stage_id: row.stageId,
        call_type: row.callType,
        provider: row.provider,
        model: row.model,
        system_prompt: row.systemPrompt,
        prompt: row.prompt,
        response: row.response,
        tokens_in: row.tokensIn,
        tokens_out: row.tokensOut,
        latency_ms: row.latencyMs,
        cost_usd: row.costUsd,
        status: row.status,
        error: row.error,
        error_detail: operator ? row.errorDetail : null,
        created_at: row.createdAt.toISOString(),
    };
}
//# sourceMappingURL=serialize-conversation.js.map