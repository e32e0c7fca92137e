import { type StageRow, selectableStages } from '../../config-cache/index.js';
import {
  businessConfig,
  currentStage,
  remember,
  type VariableEnv,
  type VariableProvider,
} from './variable-env.js';
import { findPreviousStageId } from './variables.repository.js';

export const stageLine = (stage: StageRow) =>
  stage.stageDescription.trim() ? `${stage.stageName}: ${stage.stageDescription.trim()}` : stage.stageName;

/** The stage before the current one: given by the pipeline, or the conversation's last transition into it. */
async function previousStageName(env: VariableEnv): Promise<string | undefined> {
  const config = await businessConfig(env);
  const nameOf = (id: string | null | undefined) => (id ? (config.stagesById.get(id)?.stageName ?? '') : '');
  if (env.vc.previousStageId !== undefined) return nameOf(env.vc.previousStageId);
  const conversationId = env.vc.conversationId;
  if (!conversationId) return undefined;
  const stage = await currentStage(env);
  if (!stage) return '';
  const fromStageId = await remember(env, `previous-stage:${conversationId}:${stage.stageId}`, () =>
    findPreviousStageId(env.ctx.db, env.vc.businessId, conversationId, stage.stageId),
  );
  return nameOf(fromStageId);
}

/** Stages sharing the current stage's agent (stages without an agent form one group). */
async function agentStages(env: VariableEnv): Promise<string> {
  const config = await businessConfig(env);
  const stage = await currentStage(env);
  const agentId = stage?.agentId ?? null;
  return config.stages
    .filter((candidate) => (candidate.agentId ?? null) === agentId)
    .map(stageLine)
    .join('\n');
}

/** The current stage and the stages it may move to (every stage when it allows any). */
async function selectable(env: VariableEnv): Promise<StageRow[]> {
  return selectableStages(await businessConfig(env), await currentStage(env));
}

export const stageVariables: Record<string, VariableProvider> = {
  current_stage: async (env) => (await currentStage(env))?.stageName ?? '',
  current_stage_description: async (env) => (await currentStage(env))?.stageDescription ?? '',
  previous_stage: previousStageName,
  stage_list: async (env) => (await selectable(env)).map((stage) => stage.stageName).join(', '),
  available_stages: async (env) => (await selectable(env)).map(stageLine).join('\n'),
  agent_stages: agentStages,
};
