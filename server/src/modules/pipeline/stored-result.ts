import { and, asc, eq } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import { conversations, llmCalls, messages } from '../../db/schema.js';
import { notFound } from '../../errors.js';
import { getBusinessConfig } from '../config-cache/business-config-cache.js';
import type { ConversationProcessor } from './conversation-processor.js';
import type { MessageResponse, ProcessingStep } from './message.schemas.js';

type MessageRow = typeof messages.$inferSelect;

export async function findByExternalId(
  ctx: AppContext,
  businessId: string,
  channel: string,
  externalId: string,
) {
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
export async function storedResult(
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
  const [reply, calls, config] = await Promise.all([
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
    getBusinessConfig(ctx, current.businessId),
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
    stage_name: (result?.stage_id && config?.stagesById.get(result.stage_id)?.stageName) || null,
    previous_stage_id: result?.previous_stage_id ?? null,
    extracted_data: result?.extracted_data ?? {},
    fallback: result?.fallback ?? false,
    engine: result?.engine ?? 'llm',
    ai_stopped: current.status === 'skipped',
    duplicate,
    processing_steps: steps,
  };
}
