import type { ProcessingStep } from './message.schemas.js';

export type StepName = ProcessingStep['step'];

export type { ProcessingStep };

export interface TurnListener {
  onStage?(event: { stage_id: string; stage_name: string; previous_stage_id: string | null }): void;
  onExtracted?(event: { extracted_data: Record<string, unknown> }): void;
  onStep?(step: ProcessingStep): void;
  onToken?(text: string): void;
}

/** What the pipeline produced for one inbound message. */
export interface TurnOutcome {
  messageId: string;
  status: 'processed' | 'skipped';
  responseId: string | null;
  response: string | null;
  stageId: string | null;
  stageName: string | null;
  previousStageId: string | null;
  extractedData: Record<string, unknown>;
  fallback: boolean;
  engine: 'llm' | 'offline';
  /** The stage has all its required fields after this message; absent when the message was not processed. */
  stageComplete?: boolean | undefined;
  steps: ProcessingStep[];
}
