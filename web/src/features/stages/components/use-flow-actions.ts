import type { Stage } from '@/lib/api/models';
import { useUpdateStageFlow } from '@/lib/api/stages/save-stage';
import type { ConnectionChoice } from './connection-dialog';
import { closedAllowedList, type FlowModelEdge, movedRule, withAllowed, withoutAllowed } from './flow-model';

/**
 * The flow editor's edits, each one partial update of the source stage (a draft change like any
 * other): shared by the diagram and the list view so both do exactly the same thing.
 */
export function useFlowActions(businessId: string, stages: Stage[]) {
  const update = useUpdateStageFlow(businessId);
  const byId = new Map(stages.map((s) => [s.stage_id, s]));

  function connect(source: Stage, choice: ConnectionChoice, onDone?: () => void) {
    const input =
      choice.kind === 'allowed'
        ? { allowed_next_stage_ids: withAllowed(source, choice.target) }
        : { transition_rules: [...(source.transition_rules ?? []), ...(choice.rule ? [choice.rule] : [])] };
    update.mutate({ stageId: source.stage_id, input }, { onSuccess: () => onDone?.() });
  }

  function remove(edge: Pick<FlowModelEdge, 'kind' | 'source' | 'target' | 'ruleIndex'>) {
    const source = byId.get(edge.source);
    if (!source) return;
    if (edge.kind === 'allowed')
      update.mutate({
        stageId: source.stage_id,
        input: { allowed_next_stage_ids: withoutAllowed(source, edge.target) },
      });
    else if (edge.kind === 'rule')
      update.mutate({
        stageId: source.stage_id,
        input: { transition_rules: (source.transition_rules ?? []).filter((_, i) => i !== edge.ruleIndex) },
      });
  }

  /** Rules are checked in order (the first that holds moves the turn): one place up or down. */
  function moveRule(edge: Pick<FlowModelEdge, 'source' | 'ruleIndex'>, by: -1 | 1) {
    const source = byId.get(edge.source);
    if (!source || edge.ruleIndex === undefined) return;
    const rules = movedRule(source.transition_rules ?? [], edge.ruleIndex, by);
    if (rules) update.mutate({ stageId: source.stage_id, input: { transition_rules: rules } });
  }

  function setAnyNext(stage: Stage, any: boolean) {
    update.mutate({
      stageId: stage.stage_id,
      input: { allowed_next_stage_ids: any ? null : closedAllowedList(stage) },
    });
  }

  return {
    connect,
    remove,
    moveRule,
    setAnyNext,
    pending: update.isPending,
    error: update.error,
    reset: update.reset,
  };
}

export type FlowActions = ReturnType<typeof useFlowActions>;
