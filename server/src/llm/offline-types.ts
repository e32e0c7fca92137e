/** Shapes of the offline engine's routing and extraction (see offline-engine.ts). */
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
