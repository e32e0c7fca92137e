import { and, asc, eq } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import { conversations, llmCalls, messages, stages } from '../../db/schema.js';
import { AppError, notFound } from '../../errors.js';
import { getBusinessConfig } from '../config-cache/business-config-cache.js';
import { appendMessage } from '../conversations/append-message.js';
import type { ConversationProcessor } from './conversation-processor.js';
import type { ProcessingStep, TurnListener, TurnOutcome } from './pipeline-types.js';
import { resolveConversation } from './resolve-conversation.js';
import { storeInboundInExistingConversation } from './store-inbound.js';

export interface InboundMessage {
  businessId: string;
  content: string;
  userId?: string | undefined;
  conversationId?: string | undefined;
  externalMessageId?: string | undefined;
  channel?: string;
}

export interface MessageResponse {
  success: true;
  response: string | null;
  conversation_id: string;
  user_id: string;
  message_id: string;
  response_id: string | null;
  stage_id: string | null;
  stage_name: string | null;
  previous_stage_id: string | null;
  extracted_data: Record<string, unknown>;
  fallback: boolean;
  engine: 'llm' | 'offline';
  ai_stopped: boolean;
  duplicate: boolean;
  processing_steps: ProcessingStep[];
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

type MessageRow = typeof messages.$inferSelect;

async function findByExternalId(ctx: AppContext, businessId: string, channel: string, externalId: string) {
  const [row] = await ctx.db
    .select()
    .from(messages)
    .where(
      and(
        eq(messages.businessId, businessId),
        eq(messages.channel, channel),
        eq(messages.externalMessageId, externalId),
      ),
    )
    .limit(1);
  return row;
}

interface StoredResult {
  response_id: string;
  stage_id: string | null;
  previous_stage_id: string | null;
  extracted_data: Record<string, unknown>;
  fallback: boolean;
  engine: 'llm' | 'offline';
}

/** The answer to a message processed earlier (a retry) or by another server process. */
async function storedResult(
  ctx: AppContext,
  processor: ConversationProcessor,
  message: MessageRow,
  duplicate: boolean,
): Promise<MessageResponse> {
  let current = message;
  if (current.status === 'pending') {
    // Still queued (its first request may be waiting on the lease): make sure it gets processed.
    await processor.process(current.conversationId, current.sequenceNumber);
    const [fresh] = await ctx.db
      .select()
      .from(messages)
      .where(eq(messages.messageId, current.messageId))
      .limit(1);
    if (!fresh) throw notFound('Message');
    current = fresh;
  }
  const [conversation] = await ctx.db
    .select({ userId: conversations.userId })
    .from(conversations)
    .where(eq(conversations.conversationId, current.conversationId))
    .limit(1);
  const result = (current.metadata?.result ?? null) as StoredResult | null;
  const [reply, calls, stageRow] = await Promise.all([
    result?.response_id
      ? ctx.db
          .select({ content: messages.messageContent })
          .from(messages)
          .where(eq(messages.messageId, result.response_id))
          .limit(1)
      : Promise.resolve([]),
    ctx.db
      .select()
      .from(llmCalls)
      .where(eq(llmCalls.messageId, current.messageId))
      .orderBy(asc(llmCalls.createdAt)),
    result?.stage_id
      ? ctx.db
          .select({ name: stages.stageName })
          .from(stages)
          .where(eq(stages.stageId, result.stage_id))
          .limit(1)
      : Promise.resolve([]),
  ]);
  const steps: ProcessingStep[] = calls
    .filter((c) => c.status !== 'discarded')
    .map((c) => ({
      step: c.callType as ProcessingStep['step'],
      template_id: c.templateId,
      template_name: null,
      prompt: c.prompt,
      system_prompt: c.systemPrompt,
      response: c.response ?? '',
      latency_ms: c.latencyMs,
      skipped: false,
      engine: c.provider === 'offline' ? 'offline' : 'llm',
      provider: c.provider,
      model: c.model,
      tokens_in: c.tokensIn,
      tokens_out: c.tokensOut,
      cost_usd: c.costUsd,
      status: c.status === 'error' ? 'error' : 'success',
      ...(c.error ? { error: c.error } : {}),
    }));
  return {
    success: true,
    response: reply[0]?.content ?? null,
    conversation_id: current.conversationId,
    user_id: conversation?.userId ?? '',
    message_id: current.messageId,
    response_id: result?.response_id ?? null,
    stage_id: result?.stage_id ?? current.stageId,
    stage_name: stageRow[0]?.name ?? null,
    previous_stage_id: result?.previous_stage_id ?? null,
    extracted_data: result?.extracted_data ?? {},
    fallback: result?.fallback ?? false,
    engine: result?.engine ?? 'llm',
    ai_stopped: current.status === 'skipped',
    duplicate,
    processing_steps: steps,
  };
}
