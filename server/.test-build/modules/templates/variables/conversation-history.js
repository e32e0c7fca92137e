import { businessConfig, remember, speakerLabel, } from './variable-env.js';
import { listRecentMessages } from './variables.repository.js';
export const DEFAULT_HISTORY_LIMIT = 20;
const LAST_MESSAGES = 10;
/**
 * The conversation's most recent messages, oldest first, in one bounded query shared by
 * conversation_history, last_10_messages and user_messages. Stops before the message being processed.
 */
async function recentMessages(env) {
    const conversationId = env.vc.conversationId;
    if (!conversationId)
        return undefined;
    const config = await businessConfig(env);
    const historyLimit = config.business.settings?.history_limit ?? DEFAULT_HISTORY_LIMIT;
    const limit = Math.max(historyLimit, LAST_MESSAGES);
    const messageId = env.vc.messageId ?? null;
    const rows = await remember(env, `history:${conversationId}:${limit}:${messageId}`, () => listRecentMessages(env.ctx.db, env.vc.businessId, conversationId, messageId, limit));
    return rows.slice().reverse();
}
/**
 * The newest items whose text fits in `maxChars` (MAX_HISTORY_CHARS), oldest first: a long history
 * of long messages cannot inflate a prompt; what is left out is the oldest.
 */
export function newestWithin(items, maxChars, size) {
    let total = 0;
    let start = items.length;
    while (start > 0) {
        const next = total + size(items[start - 1]) + 1;
        if (next > maxChars)
            break;
        total = next;
        start -= 1;
    }
    return items.slice(start);
}
async function window(env, size) {
    const all = await recentMessages(env);
    if (!all)
        return undefined;
    const config = await businessConfig(env);
    const n = size(config.business.settings?.history_limit ?? DEFAULT_HISTORY_LIMIT);
    return newestWithin(all.slice(Math.max(0, all.length - n)), env.ctx.config.prompt.maxHistoryChars, (message) => message.content.length + 12);
}
export const historyVariables = {
    conversation_history: async (env) => (await window(env, (limit) => limit))
        ?.map((message) => `${speakerLabel(message.senderType)}: ${message.content}`)
        .join('\n'),
    last_10_messages: async (env) => (await window(env, () => LAST_MESSAGES))?.map((message) => ({
        sender: message.senderType,
        content: message.content,
        created_at: message.createdAt.toISOString(),
    })),
    user_messages: async (env) => (await window(env, (limit) => limit))
        ?.filter((message) => message.senderType === 'user')
        .map((message) => message.content)
        .join('\n'),
};
//# sourceMappingURL=conversation-history.js.map