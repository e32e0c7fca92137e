import type { AppContext } from '../../context.js';
import type { BusinessConfig } from '../config-cache/index.js';
import { publishConversationEvent } from '../conversations/index.js';
import { missingRequired } from '../fields/index.js';
import { DEFAULT_HANDOFF_MESSAGE } from './asks-for-human.js';
import { entryStageOf } from './run-turn.js';
import type { TurnResult } from './turn-types.js';

export type HandoffReason = 'stage' | 'customer_request';

/**
 * The turn for a customer who asked for a person: no LLM call, the stage stays, and the reply is the
 * business's hand-off message. It is stored and delivered like any assistant reply.
 */
export function handoffTurn(
  config: BusinessConfig,
  stageId: string | null,
  engine: 'llm' | 'offline',
  collectedData: Record<string, unknown>,
): TurnResult {
  const stage = entryStageOf(config, stageId);
  return {
    stage,
    previousStage: stage,
    extracted: {},
    reply: config.business.settings.handoff_message?.trim() || DEFAULT_HANDOFF_MESSAGE,
    fallback: false,
    engine,
    transitionReason: null,
    complete: missingRequired(config.business.fields, stage, collectedData).length === 0,
    steps: [],
    calls: [],
  };
}

/**
 * Whether a turn hands the conversation over: the customer asked, or the turn moved the conversation
 * into a stage marked `handoff` (entering it; a conversation given back while in that stage stays
 * with the AI until it enters one again).
 */
export function handoffReason(asked: boolean, turn: TurnResult): HandoffReason | null {
  if (asked) return 'customer_request';
  if (turn.stage.handoff && turn.stage.stageId !== turn.previousStage.stageId) return 'stage';
  return null;
}

/** After the turn is stored: live views learn of the hand-off and of the AI's stop. */
export function announceHandoff(
  ctx: AppContext,
  conversation: { businessId: string; conversationId: string },
  reason: HandoffReason,
) {
  publishConversationEvent(ctx, {
    type: 'handoff',
    business_id: conversation.businessId,
    conversation_id: conversation.conversationId,
    reason,
  });
  publishConversationEvent(ctx, {
    type: 'ai',
    business_id: conversation.businessId,
    conversation_id: conversation.conversationId,
    is_stopped: true,
    reason: 'handoff',
  });
}
