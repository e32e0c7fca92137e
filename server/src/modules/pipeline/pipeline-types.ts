export type StepName = 'stage_selection' | 'data_extraction' | 'response_generation';

/** One entry of `processing_steps`: what ran, with which prompt, what came back, how long it took. */
export interface ProcessingStep {
  step: StepName;
  template_id: string | null;
  template_name: string | null;
  prompt: string;
  system_prompt: string;
  response: string;
  latency_ms: number;
  skipped: boolean;
  engine: 'llm' | 'offline';
  provider: string | null;
  model: string | null;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  status: 'success' | 'error' | 'skipped';
  error?: string;
  /** Extraction started speculatively for the current stage and kept because the stage did not change. */
  reused?: boolean;
  missing_variables?: string[];
}

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
  steps: ProcessingStep[];
}
