import type { BusinessConfig } from '../config-cache/index.js';
import type { StageRow } from '../stages/index.js';
import type { StoredHistory } from '../templates/index.js';
import type { StepCall } from './pipeline-steps.js';
import type { ProcessingStep, TurnListener } from './pipeline-types.js';

/** What one turn (stage selection, extraction, reply) starts from and produces. */
export interface TurnInput {
  config: BusinessConfig;
  conversationId: string;
  userId: string;
  user?: { firstName: string; lastName: string } | undefined;
  stageId: string | null;
  collectedData: Record<string, unknown>;
  messageId: string;
  messageContent: string;
  listener?: TurnListener | undefined;
  /** A model for this turn instead of the business's (a test run's choice, already allowed). */
  model?: string | undefined;
  /** The conversation so far when it is not stored (a golden test case), oldest first. */
  history?: readonly { senderType: string; content: string }[] | undefined;
  /** The stored history the lease already read (VariableContext.storedHistory). */
  storedHistory?: StoredHistory | undefined;
}

export interface TurnResult {
  stage: StageRow;
  previousStage: StageRow;
  extracted: Record<string, unknown>;
  reply: string;
  fallback: boolean;
  engine: 'llm' | 'offline';
  /**
   * Why the stage changed (stage_transitions.reason): 'selection', or 'rule:<label or kind>'; null
   * when it stayed.
   */
  transitionReason: string | null;
  /** Whether the stage the turn ends in has all its required fields (true when it requires none). */
  complete: boolean;
  steps: ProcessingStep[];
  /** Every step that ran, including a speculative extraction that was thrown away, for the call log. */
  calls: StepCall[];
}
