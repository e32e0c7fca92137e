import { type StageRow, selectableStages } from '../../config-cache/index.js';
import {
  businessConfig,
  currentStage,
  type Maybe,
  onceKnown,
  remember,
  type VariableEnv,
  type VariableProvider,
} from './variable-env.js';
import { findPreviousStageId } from './variables.repository.js';

export const stageLine = (stage: StageRow) =>
  stage.stageDescription.trim() ? `${stage.stageName}: ${stage.stageDescription.trim()}` : stage.stageName;

/** The stage before the current one: given by the pipeline, or the conversation's last transition into it. */
function previousStageName(env: VariableEnv): Maybe<string | undefined> {
  return onceKnown(businessConfig(env), (config) => {
    const nameOf = (id: string | null | undefined) =>
      id ? (config.stagesById.get(id)?.stageName ?? '') : '';
    if (env.vc.previousStageId !== undefined) return nameOf(env.vc.previousStageId);
    const conversationId = env.vc.conversationId;
    if (!conversationId) return undefined;
    return onceKnown(currentStage(env), (stage) => {
      if (!stage) return '';
      const fromStageId = remember(env, `previous-stage:${conversationId}:${stage.stageId}`, () =>
        findPreviousStageId(env.ctx.db, env.vc.businessId, conversationId, stage.stageId),
      );
      return onceKnown(fromStageId, nameOf);
    });
  });
}

/** Stages sharing the current stage's agent (stages without an agent form one group). */
function agentStages(env: VariableEnv): Maybe<string> {
  return onceKnown(businessConfig(env), (config) =>
    onceKnown(currentStage(env), (stage) => {
      const agentId = stage?.agentId ?? null;
      return config.stages
        .filter((candidate) => (candidate.agentId ?? null) === agentId)
        .map(stageLine)
        .join('\n');
    }),
  );
}

/** The current stage and the stages it may move to (every stage when it allows any). */
function selectable(env: VariableEnv): Maybe<StageRow[]> {
  return onceKnown(businessConfig(env), (config) =>
    onceKnown(currentStage(env), (stage) => selectableStages(config, stage)),
  );
}

export const stageVariables: Record<string, VariableProvider> = {
  current_stage: (env) => onceKnown(currentStage(env), (stage) => stage?.stageName ?? ''),
  current_stage_description: (env) => onceKnown(currentStage(env), (stage) => stage?.stageDescription ?? ''),
  previous_stage: previousStageName,
  stage_list: (env) =>
    onceKnown(selectable(env), (stages) => stages.map((stage) => stage.stageName).join(', ')),
  available_stages: (env) => onceKnown(selectable(env), (stages) => stages.map(stageLine).join('\n')),
  agent_stages: agentStages,
};
