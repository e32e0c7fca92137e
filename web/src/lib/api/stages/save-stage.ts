import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiClient, unwrap } from '@/lib/api/client';
import type { TransitionRule } from '@/lib/api/models';
import { qk } from '@/lib/api/query-keys';

export interface StageInput {
  stage_name: string;
  stage_description: string;
  stage_type: string;
  agent_id: string | null;
  stage_selection_template_id?: string;
  data_extraction_template_id?: string;
  response_generation_template_id?: string;
  fallback_reply?: string | null;
  /** After replying in this stage the AI stops and the conversation waits for the team. */
  handoff?: boolean;
  /** Names of fields the stage must collect (its goal). */
  required_fields?: string[];
  /** Names of fields the stage may collect. */
  optional_fields?: string[];
}

/**
 * Empty template ids are left out so the server fills them with copies of the defaults. The
 * business id goes in the body only on create (the update body does not accept it).
 */
function body(businessId: string | null, input: StageInput): StageInput & { business_id?: string } {
  const out: StageInput & { business_id?: string } = businessId
    ? { business_id: businessId, ...input }
    : { ...input };
  if (out.fallback_reply === '') out.fallback_reply = null;
  for (const k of [
    'stage_selection_template_id',
    'data_extraction_template_id',
    'response_generation_template_id',
  ] as const) {
    if (!out[k]) delete out[k];
  }
  return out;
}

export function createStage(businessId: string, input: StageInput) {
  return unwrap(apiClient.POST('/api/stages', { body: body(businessId, input) }));
}

export function updateStage(_businessId: string, stageId: string, input: StageInput) {
  return unwrap(
    apiClient.PUT('/api/stages/{stage_id}', {
      params: { path: { stage_id: stageId } },
      body: body(null, input),
    }),
  );
}

export function useSaveStage(businessId: string, stageId?: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: StageInput) =>
      stageId ? updateStage(businessId, stageId, input) : createStage(businessId, input),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: qk.stages.all(businessId) });
      qc.invalidateQueries({ queryKey: qk.templates.all(businessId) });
    },
  });
}

/** What the flow editor changes on a stage: which stages may follow it and its transition rules. */
export interface StageFlowInput {
  /** Null: any stage may follow. */
  allowed_next_stage_ids?: string[] | null;
  transition_rules?: TransitionRule[];
}

/** A partial update (PUT takes only the properties sent) of one stage's transitions. */
export function updateStageFlow(stageId: string, input: StageFlowInput) {
  return unwrap(
    apiClient.PUT('/api/stages/{stage_id}', {
      params: { path: { stage_id: stageId } },
      body: input,
    }),
  );
}

export function useUpdateStageFlow(businessId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ stageId, input }: { stageId: string; input: StageFlowInput }) =>
      updateStageFlow(stageId, input),
    onSuccess: () => qc.invalidateQueries({ queryKey: qk.stages.all(businessId) }),
  });
}
