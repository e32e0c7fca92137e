import { fromJson, toDate } from '../../db/raw-rows.js';
import { type DataMask, NO_MASK } from '../fields/index.js';
import { aiControlStatus, isAiStopped } from './ai-control.js';
import type { ConversationSummaryRow, MessageWithExtractedRow } from './conversations.repository.js';
import type {
  Conversation,
  ConversationSummary,
  Customer,
  LlmCall,
  Message,
} from './conversations.schemas.js';
import { customerName } from './customer-name.js';
import type { LlmCallRow } from './llm-calls.repository.js';
import type { MessageRow } from './messages.repository.js';

/** Several extraction rows of one message merge in order (later values win); none → null. */
export function mergeExtracted(parts: Record<string, unknown>[] | null | undefined) {
  const list = fromJson(parts);
  if (!list || list.length === 0) return null;
  return Object.assign({}, ...list) as Record<string, unknown>;
}

const isOutbound = (senderType: string) => senderType === 'assistant' || senderType === 'agent';

function deliveryError(metadata: Record<string, unknown> | null) {
  const error = metadata?.delivery_error;
  return typeof error === 'string' ? error : null;
}

/** A sent reply's status is what Meta last reported of it (`receipt`, migration 0027), if anything. */
const messageStatus = (row: MessageRow) => (row.status === 'sent' && row.receipt ? row.receipt : row.status);

export function serializeMessage(row: MessageRow, extracted: Record<string, unknown> | null = null): Message {
  const status = messageStatus(row);
  return {
    message_id: row.messageId,
    conversation_id: row.conversationId,
    sender_type: row.senderType,
    message_content: row.messageContent,
    sequence_number: row.sequenceNumber,
    channel: row.channel,
    external_message_id: row.externalMessageId,
    status,
    delivery_status: isOutbound(row.senderType) ? status : null,
    delivery_error: deliveryError(row.metadata),
    stage_id: row.stageId,
    reply_to_message_id: row.replyToMessageId,
    created_at: row.createdAt.toISOString(),
    extracted_data: extracted,
  };
}

export const serializeMessageWithExtracted = (
  row: MessageWithExtractedRow,
  mask: DataMask = NO_MASK,
): Message => {
  const extracted = mergeExtracted(row.extracted);
  return serializeMessage(row.message, extracted && mask(extracted));
};

export function serializeConversationSummary(
  row: ConversationSummaryRow,
  now = new Date(),
  mask: DataMask = NO_MASK,
): ConversationSummary {
  const c = row.conversation;
  const collectedData = mask(c.collectedData ?? {});
  const last = fromJson(row.lastMessage);
  return {
    conversation_id: c.conversationId,
    business_id: c.businessId,
    user_id: c.userId,
    user_name: nameOf(row, collectedData),
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
    collected_data: collectedData,
    ai_stopped: isAiStopped(c, now),
    assignee_id: c.assigneeAccountId,
    assignee_name: c.assigneeAccountId ? (row.assigneeName ?? null) : null,
    waiting_since: c.waitingSince ? toDate(c.waitingSince).toISOString() : null,
    unread_count: Number(row.unreadCount ?? 0),
  };
}

const nameOf = (row: ConversationSummaryRow, collectedData: Record<string, unknown>) =>
  customerName({
    ...row.customer,
    userId: row.conversation.userId,
    channel: row.conversation.channel,
    collectedData,
  });

/** The customer of a conversation, as its detail shows them. */
export function serializeCustomer(row: ConversationSummaryRow, mask: DataMask = NO_MASK): Customer {
  const u = row.customer;
  return {
    user_id: row.conversation.userId,
    name: nameOf(row, mask(row.conversation.collectedData ?? {})),
    first_name: u.firstName,
    last_name: u.lastName,
    email: u.email,
    phone: u.phone,
    whatsapp_id: u.whatsappId,
    messenger_psid: u.messengerPsid,
  };
}

/** The conversation with its AI-control status, as the detail and PATCH answer it. */
export function serializeConversation(
  row: ConversationSummaryRow,
  now = new Date(),
  mask: DataMask = NO_MASK,
): Conversation {
  return {
    ...serializeConversationSummary(row, now, mask),
    ai_control: aiControlStatus(row.conversation, now),
  };
}

/** `operator`: the master key or a platform admin, who also sees the provider's own error text. */
/**
 * A data-extraction call's response is the parsed extraction (a JSON object of field values): its PII
 * values are masked like collected data; a response that is not such an object stays as it is.
 */
function maskedResponse(row: LlmCallRow, mask: DataMask): string | null {
  if (mask === NO_MASK || row.callType !== 'data_extraction' || row.response === null) return row.response;
  try {
    const parsed: unknown = JSON.parse(row.response);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return JSON.stringify(mask(parsed as Record<string, unknown>));
  } catch {
    // Not JSON: the model's free text, returned as it is.
  }
  return row.response;
}

export function serializeLlmCall(row: LlmCallRow, operator = false, mask: DataMask = NO_MASK): LlmCall {
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
    response: maskedResponse(row, mask),
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
