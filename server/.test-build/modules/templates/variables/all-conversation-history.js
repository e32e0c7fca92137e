import { newestWithin } from './conversation-history.js';
import { remember, speakerLabel } from './variable-env.js';
import { listUserHistory } from './variables.repository.js';
export const ALL_HISTORY_LIMIT = 50;
/**
 * This customer's most recent messages across all their conversations with this business (never
 * another customer's, never another business's), oldest first, grouped under a header per
 * conversation. Bounded so a long-standing customer cannot blow up a prompt.
 */
const allConversationHistory = async (env) => {
    const messageId = env.vc.messageId ?? null;
    const userId = env.vc.userId;
    if (!userId)
        return undefined;
    const rows = await remember(env, `all-history:${env.vc.businessId}:${userId}:${messageId}`, () => listUserHistory(env.ctx.db, env.vc.businessId, userId, messageId, ALL_HISTORY_LIMIT));
    const groups = new Map();
    const newest = newestWithin(rows.slice().reverse(), env.ctx.config.prompt.maxHistoryChars, (row) => row.content.length + 12);
    for (const row of newest) {
        const lines = groups.get(row.conversationId) ?? [];
        lines.push(`${speakerLabel(row.senderType)}: ${row.content}`);
        groups.set(row.conversationId, lines);
    }
    return [...groups]
        .map(([conversationId, lines]) => {
        const marker = conversationId === env.vc.conversationId ? ' (this conversation)' : '';
        return `Conversation ${conversationId.slice(0, 8)}${marker}:\n${lines.join('\n')}`;
    })
        .join('\n\n');
};
export const allHistoryVariables = {
    all_conversation_history: allConversationHistory,
};
//# sourceMappingURL=all-conversation-history.js.map