import type { AppContext } from '../../context.js';
import { AppError, notFound } from '../../errors.js';
import { getBusinessConfig } from '../config-cache/business-config-cache.js';
import { appendMessage } from '../conversations/append-message.js';
import type { ConversationProcessor } from './conversation-processor.js';
import type { MessageResponse } from './message.schemas.js';
import type { TurnListener, TurnOutcome } from './pipeline-types.js';
import { resolveConversation } from './resolve-conversation.js';
import { storeInboundInExistingConversation } from './store-inbound.js';
import { findByExternalId, storedResult } from './stored-result.js';

export interface InboundMessage {
  businessId: string;
  content: string;
  userId?: string | undefined;
  conversationId?: string | undefined;
  externalMessageId?: string | undefined;
  channel?: string;
}

/** Stores the customer's words first, then runs (or waits for) the pipeline in conversation order. */
export async function handleInboundMessage(
  ctx: AppContext,
  processor: ConversationProcessor,
  input: InboundMessage,
  listener?: TurnListener,
): Promise<MessageResponse> {
  const channel = input.channel ?? 'api';
  const content = input.content.trim();
  if (!content)
    throw new AppError('VALIDATION_ERROR', 'content must not be empty', {
      field_errors: { content: 'must not be empty' },
    });
  if (content.length > ctx.config.maxMessageChars) {
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      `content is longer than ${ctx.config.maxMessageChars} characters`,
      {
        field_errors: { content: `at most ${ctx.config.maxMessageChars} characters` },
      },
    );
  }
  const config = await getBusinessConfig(ctx, input.businessId);
  if (!config) throw notFound('Business');

  if (input.externalMessageId) {
    const existing = await findByExternalId(ctx, input.businessId, channel, input.externalMessageId);
    if (existing) return storedResult(ctx, processor, existing, true);
  }

  const fast = await storeInboundInExistingConversation(ctx.db, {
    businessId: input.businessId,
    content,
    channel,
    userId: input.userId,
    conversationId: input.conversationId,
    externalMessageId: input.externalMessageId,
  });
  let stored = fast?.message ?? null;
  let resolved = fast ? { conversationId: fast.message.conversationId, userId: fast.userId } : null;
  if (!resolved) {
    resolved = await resolveConversation(ctx.db, {
      businessId: input.businessId,
      userId: input.userId,
      conversationId: input.conversationId,
      entryStageId: config.entryStageId,
      channel,
    });
    stored = await appendMessage(ctx.db, {
      conversationId: resolved.conversationId,
      businessId: input.businessId,
      senderType: 'user',
      content,
      status: 'pending',
      reserveReplySlot: true,
      channel,
      externalMessageId: input.externalMessageId ?? null,
    });
  }
  if (!stored) {
    // The same external id arrived concurrently: answer with the first delivery's result.
    const existing = await findByExternalId(
      ctx,
      input.businessId,
      channel,
      input.externalMessageId as string,
    );
    if (!existing) throw new AppError('CONFLICT', 'The message could not be stored, retry');
    return storedResult(ctx, processor, existing, true);
  }
  const outcome = await processor.process(
    resolved.conversationId,
    stored.sequenceNumber,
    stored.messageId,
    listener,
  );
  if (!outcome) return storedResult(ctx, processor, stored, false);
  return toResponse(resolved.conversationId, resolved.userId, outcome, false);
}

function toResponse(
  conversationId: string,
  userId: string,
  outcome: TurnOutcome,
  duplicate: boolean,
): MessageResponse {
  return {
    success: true,
    response: outcome.response,
    conversation_id: conversationId,
    user_id: userId,
    message_id: outcome.messageId,
    response_id: outcome.responseId,
    stage_id: outcome.stageId,
    stage_name: outcome.stageName,
    previous_stage_id: outcome.previousStageId,
    extracted_data: outcome.extractedData,
    fallback: outcome.fallback,
    engine: outcome.engine,
    ai_stopped: outcome.status === 'skipped',
    duplicate,
    processing_steps: outcome.steps,
  };
}
