import { currentStage, currentUserId, onceKnown, type VariableProvider } from './variable-env.js';

export const idVariables: Record<string, VariableProvider> = {
  business_id: (env) => env.vc.businessId,
  conversation_id: (env) => env.vc.conversationId ?? undefined,
  user_id: (env) => currentUserId(env),
  stage_id: (env) => onceKnown(currentStage(env), (stage) => stage?.stageId),
};
