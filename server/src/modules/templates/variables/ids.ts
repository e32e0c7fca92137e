import { currentStage, currentUserId, type VariableProvider } from './variable-env.js';

export const idVariables: Record<string, VariableProvider> = {
  business_id: (env) => env.vc.businessId,
  conversation_id: (env) => env.vc.conversationId ?? undefined,
  user_id: (env) => currentUserId(env),
  stage_id: async (env) => (await currentStage(env))?.stageId,
};
