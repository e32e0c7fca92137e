import type { BusinessConfig } from './business-config-cache.js';
import type { StageRow } from './config-cache.repository.js';

/**
 * The stages a conversation in `current` may be moved to by the selection step: the current one and
 * its allowed next stages (`stages.allowed_next_stage_ids`), in the business's order — every stage
 * when the stage allows any (null). What selection offers the model and what `{{stage_list}}` /
 * `{{available_stages}}` list. A transition rule's target needs no allowance.
 */
export function selectableStages(config: BusinessConfig, current: StageRow | undefined): StageRow[] {
  const allowed = current?.allowedNextStageIds;
  if (!current || !allowed) return config.stages;
  const ids = new Set([...allowed, current.stageId]);
  return config.stages.filter((s) => ids.has(s.stageId));
}
