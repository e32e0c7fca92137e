import type { MessageResponse } from './message.schemas.js';
import type { TurnOutcome } from './pipeline-types.js';

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
