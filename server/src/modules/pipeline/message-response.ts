import type { MessageResponse, ProcessingStep } from './message.schemas.js';
import type { TurnOutcome } from './pipeline-types.js';
import { jsonArrayOf, promptJsonOf, systemJsonOf } from './quoted-texts.js';

/** The answer to POST /api/message, for a turn just run or one read back from what was stored. */
export function toMessageResponse(
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
    ...(outcome.stageComplete !== undefined ? { stage_complete: outcome.stageComplete } : {}),
    processing_steps: outcome.steps,
  };
}

/**
 * POST /api/message's answer as JSON, as the schema's serializer writes it (message.schemas.ts; the
 * required properties in order, then the optional ones; a test compares the two byte for byte), with
 * the prompts in `processing_steps` as the turn quoted them once for the model and the call log.
 */
export function messageResponseJson(response: MessageResponse): string {
  const head = JSON.stringify({
    success: response.success,
    response: response.response ?? null,
    conversation_id: response.conversation_id,
    user_id: response.user_id,
    message_id: response.message_id,
    response_id: response.response_id ?? null,
    stage_id: response.stage_id ?? null,
    stage_name: response.stage_name ?? null,
    previous_stage_id: response.previous_stage_id ?? null,
    extracted_data: response.extracted_data,
    fallback: response.fallback,
    engine: response.engine,
    ai_stopped: response.ai_stopped,
    duplicate: response.duplicate,
  });
  const steps = jsonArrayOf(response.processing_steps.map(processingStepJson));
  const complete =
    response.stage_complete === undefined ? '' : `,"stage_complete":${response.stage_complete}`;
  return `${head.slice(0, -1)},"processing_steps":${steps}${complete}}`;
}

/** One `processing_steps` entry as JSON, in the schema's order, its prompts quoted once per turn. */
export function processingStepJson(step: ProcessingStep): string {
  const rest = JSON.stringify({
    response: step.response,
    latency_ms: step.latency_ms,
    skipped: step.skipped,
    engine: step.engine,
    provider: step.provider ?? null,
    model: step.model ?? null,
    tokens_in: step.tokens_in,
    tokens_out: step.tokens_out,
    cost_usd: step.cost_usd,
    status: step.status,
    error: step.error,
    reused: step.reused,
    missing_variables: step.missing_variables,
    transition_reason: step.transition_reason,
    disallowed_stage: step.disallowed_stage,
    rejected_values: step.rejected_values?.map(({ field, value, reason }) => ({ field, value, reason })),
  });
  return `{"step":${JSON.stringify(step.step)},"template_id":${JSON.stringify(step.template_id ?? null)},"template_name":${JSON.stringify(step.template_name ?? null)},"prompt":${promptJsonOf(step)},"system_prompt":${systemJsonOf(step)},${rest.slice(1)}`;
}
