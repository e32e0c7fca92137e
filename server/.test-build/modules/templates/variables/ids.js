import { currentStage, currentUserId } from './variable-env.js';
export const idVariables = {
    business_id: (env) => env.vc.businessId,
    conversation_id: (env) => env.vc.conversationId ?? undefined,
    user_id: (env) => currentUserId(env),
    stage_id: async (env) => (await currentStage(env))?.stageId,
};
//# sourceMappingURL=ids.js.map