import type { AppContext } from '../../context.js';
import { notFound } from '../../errors.js';
import { getBusinessConfig } from '../config-cache/index.js';
import { findMessage, findMessageByExternalId, type MessageRow } from '../conversations/index.js';
import type { ConversationProcessor } from './conversation-processor.js';
import type { MessageResponse, ProcessingStep } from './message.schemas.js';
import { toMessageResponse } from './message-response.js';
import { findConversationUserId, listCallsOfMessage } from './turn.repository.js';

export const findByExternalId = (ctx: AppContext, businessId: string, channel: string, externalId: string) =>
  findMessageByExternalId(ctx.db, businessId, channel, externalId);

/** What persistTurn keeps in the inbound message's metadata. */
interface StoredResult {
  response_id: string;
  stage_id: string | null;
  previous_stage_id: string | null;
  extracted_data: Record<string, unknown>;
  fallback: boolean;
  engine: 'llm' | 'offline';
  /** Absent in results stored before stage goals existed. */
  stage_complete?: boolean;
  /** Typed extraction: values dropped as invalid for their field, with why. */
  rejected_values?: ProcessingStep['rejected_values'];
}

type CallRow = Awaited<ReturnType<typeof listCallsOfMessage>>[number];

const toStep = (c: CallRow): ProcessingStep => ({
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
});

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
    const fresh = await findMessage(ctx.db, current.messageId);
    if (!fresh) throw notFound('Message');
    current = fresh;
  }
  const userId = await findConversationUserId(ctx.db, current.conversationId);
  const result = (current.metadata?.result ?? null) as StoredResult | null;
  const [reply, calls, config] = await Promise.all([
    result?.response_id ? findMessage(ctx.db, result.response_id) : Promise.resolve(undefined),
    listCallsOfMessage(ctx.db, current.messageId),
    getBusinessConfig(ctx, current.businessId),
  ]);
  const stageId = result?.stage_id ?? current.stageId;
  const outcome = {
    messageId: current.messageId,
    status: current.status === 'skipped' ? ('skipped' as const) : ('processed' as const),
    responseId: result?.response_id ?? null,
    response: reply?.messageContent ?? null,
    stageId,
    stageName: (result?.stage_id && config?.stagesById.get(result.stage_id)?.stageName) || null,
    previousStageId: result?.previous_stage_id ?? null,
    extractedData: result?.extracted_data ?? {},
    fallback: result?.fallback ?? false,
    engine: result?.engine ?? 'llm',
    stageComplete: result?.stage_complete,
    steps: calls
      .filter((c) => c.status !== 'discarded')
      .map(toStep)
      .map((step) =>
        step.step === 'data_extraction' && result?.rejected_values
          ? { ...step, rejected_values: result.rejected_values }
          : step,
      ),
  };
  return toMessageResponse(current.conversationId, userId ?? '', outcome, duplicate);
}
