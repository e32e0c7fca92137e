import { businessConfig, currentStage, remember, } from './variable-env.js';
import { findPreviousStageId } from './variables.repository.js';
export const stageLine = (stage) => stage.stageDescription.trim() ? `${stage.stageName}: ${stage.stageDescription.trim()}` : stage.stageName;
/** The stage before the current one: given by the pipeline, or the conversation's last transition into it. */
async function previousStageName(env) {
    const config = await businessConfig(env);
    const nameOf = (id) => (id ? (config.stagesById.get(id)?.stageName ?? '') : '');
    if (env.vc.previousStageId !== undefined)
        return nameOf(env.vc.previousStageId);
    const conversationId = env.vc.conversationId;
    if (!conversationId)
        return undefined;
    const stage = await currentStage(env);
    if (!stage)
        return '';
    const fromStageId = await remember(env, `previous-stage:${conversationId}:${stage.stageId}`, () => findPreviousStageId(env.ctx.db, env.vc.businessId, conversationId, stage.stageId));
    return nameOf(fromStageId);
}
/** Stages sharing the current stage's agent (stages without an agent form one group). */
async function agentStages(env) {
    const config = await businessConfig(env);
    const stage = await currentStage(env);
    const agentId = stage?.agentId ?? null;
    return config.stages
        .filter((candidate) => (candidate.agentId ?? null) === agentId)
        .map(stageLine)
        .join('\n');
}
export const stageVariables = {
    current_stage: async (env) => (await currentStage(env))?.stageName ?? '',
    current_stage_description: async (env) => (await currentStage(env))?.stageDescription ?? '',
    previous_stage: previousStageName,
    stage_list: async (env) => (await businessConfig(env)).stages.map((stage) => stage.stageName).join(', '),
    available_stages: async (env) => (await businessConfig(env)).stages.map(stageLine).join('\n'),
    agent_stages: agentStages,
};
//# sourceMappingURL=stages.js.map