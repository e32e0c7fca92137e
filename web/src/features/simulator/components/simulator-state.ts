import type { ProcessingStep } from '@/lib/api/models';

export interface SimTurn {
  index: number;
  /** The customer message stored for this turn (known once it is answered). */
  messageId?: string;
  userText: string;
  reply: string;
  status: 'streaming' | 'done' | 'error';
  error?: unknown;
  stage?: { stage_id: string; stage_name: string; previous_stage_id: string | null };
  extracted?: Record<string, unknown>;
  steps: ProcessingStep[];
  fallback?: boolean;
  aiStopped?: boolean;
}

export interface PastMessage {
  id: string;
  sender: string;
  text: string;
}
