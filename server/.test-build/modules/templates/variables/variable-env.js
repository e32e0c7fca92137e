import { getBusinessConfig } from '../../config-cache/index.js';
import { findConversationFacts } from './variables.repository.js';
/** Runs `load` once per key and memo (one turn), however many variables and renders need it. */
export function remember(env, key, load) {
    const existing = env.memo.get(key);
    if (existing)
        return existing;
    // Drizzle query builders are lazy thenables that run again on every `then`: settle once, keep the promise.
    const promise = Promise.resolve(load());
    env.memo.set(key, promise);
    return promise;
}
export async function businessConfig(env) {
    const config = await remember(env, `config:${env.vc.businessId}`, () => getBusinessConfig(env.ctx, env.vc.businessId));
    if (!config)
        throw new Error('business not found');
    return config;
}
/** The conversation row, scoped to the business; only read when the caller did not pass what it holds. */
export function conversationFacts(env) {
    const conversationId = env.vc.conversationId;
    if (!conversationId)
        return Promise.resolve(undefined);
    return remember(env, `conversation:${conversationId}`, () => findConversationFacts(env.ctx.db, env.vc.businessId, conversationId));
}
export async function currentUserId(env) {
    if (env.vc.userId)
        return env.vc.userId;
    if (env.vc.userId === null)
        return undefined;
    return (await conversationFacts(env))?.userId;
}
/** The current stage: the given one, the conversation's, or the entry stage when none is set. */
export async function currentStage(env) {
    const config = await businessConfig(env);
    let stageId = env.vc.stageId;
    if (stageId === undefined)
        stageId = (await conversationFacts(env))?.stageId ?? null;
    const stage = stageId ? config.stagesById.get(stageId) : undefined;
    return stage ?? (config.entryStageId ? config.stagesById.get(config.entryStageId) : undefined);
}
/** The facts collected so far; undefined when there is no conversation to have collected any. */
export async function collectedData(env) {
    if (env.vc.collectedData)
        return env.vc.collectedData;
    if (!env.vc.conversationId)
        return undefined;
    return (await conversationFacts(env))?.collectedData ?? {};
}
export const SPEAKER_LABELS = {
    user: 'User',
    assistant: 'Assistant',
    agent: 'Agent',
    system: 'System',
};
export const speakerLabel = (senderType) => SPEAKER_LABELS[senderType] ?? senderType.charAt(0).toUpperCase() + senderType.slice(1);
//# sourceMappingURL=variable-env.js.map