import { collectedData, currentUserId, remember } from './variable-env.js';
import { findUserName } from './variables.repository.js';
const NAME_KEYS = ['name', 'full_name', 'user_name', 'customer_name'];
/** A name the customer gave in the conversation, for users created without one (first contact). */
function collectedName(data) {
    if (!data)
        return '';
    for (const key of NAME_KEYS) {
        const value = data[key];
        if (typeof value === 'string' && value.trim())
            return value.trim();
    }
    const parts = [data.first_name, data.last_name].filter((part) => typeof part === 'string' && part.trim() !== '');
    return parts.map((part) => part.trim()).join(' ');
}
const userName = async (env) => {
    const userId = await currentUserId(env);
    if (!userId) {
        const data = await collectedData(env);
        return data ? collectedName(data) || undefined : undefined;
    }
    const row = env.vc.user ??
        (await remember(env, `user:${userId}`, () => findUserName(env.ctx.db, env.vc.businessId, userId)));
    const fromProfile = [row?.firstName, row?.lastName]
        .map((part) => part?.trim())
        .filter(Boolean)
        .join(' ');
    return fromProfile || collectedName(await collectedData(env));
};
export const userVariables = { user_name: userName };
//# sourceMappingURL=user-name.js.map