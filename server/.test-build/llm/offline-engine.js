/**
 * The model-less engine: used when no LLM provider is configured, and as the pipeline's fallback when the
 * LLM fails. Everything here is deterministic and pure (no clock, no I/O).
 */
export { extractOffline } from './offline-extraction.js';
export { routeStageOffline } from './offline-routing.js';
//# sourceMappingURL=offline-engine.js.map