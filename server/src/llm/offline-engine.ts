/**
 * The model-less engine: used when no LLM provider is configured, and as the pipeline's fallback when the
 * LLM fails. Everything here is deterministic and pure (no clock, no I/O).
 */
export interface OfflineStage {
  stage_id: string;
  stage_name: string;
  stage_description: string;
}

export interface OfflineRouting {
  /** The chosen stage; the current one unless another clearly fits better; null when nothing fits and there is no current stage. */
  stageId: string | null;
  /** Cosine similarity (0–1, four decimals) of the message to each stage, by stage id. */
  scores: Record<string, number>;
}

/** Keys: email, phone, date (YYYY-MM-DD), order_number, name, number. Only keys that were found are present. */
export type OfflineExtraction = Record<string, string | number>;

export { extractOffline } from './offline-extraction.js';
export { routeStageOffline } from './offline-routing.js';
