import { newestWithin } from './conversation-history.js';
import {
  onceKnown,
  remember,
  speakerLabel,
  type VariableEnv,
  type VariableProvider,
} from './variable-env.js';
import { listUserHistory } from './variables.repository.js';

export const ALL_HISTORY_LIMIT = 50;

type HistoryRow = Awaited<ReturnType<typeof listUserHistory>>[number];

/**
 * This customer's most recent messages across all their conversations with this business (never
 * another customer's, never another business's), oldest first, grouped under a header per
 * conversation. Bounded so a long-standing customer cannot blow up a prompt.
 */
const allConversationHistory: VariableProvider = (env) => {
  const messageId = env.vc.messageId ?? null;
  const userId = env.vc.userId;
  const given = env.vc.history;
  if (!userId && !given) return undefined;
  // A conversation that is not stored (a golden test case) is this customer's only one.
  const rows = given
    ? given
        .slice(-ALL_HISTORY_LIMIT)
        .reverse()
        .map((m) => ({ ...m, conversationId: env.vc.conversationId ?? 'test' }))
    : remember(env, `all-history:${env.vc.businessId}:${userId}:${messageId}`, () =>
        listUserHistory(env.ctx.db, env.vc.businessId, userId as string, messageId, ALL_HISTORY_LIMIT),
      );
  return onceKnown(rows, (newestFirst) => grouped(env, newestFirst));
};

/** The messages under a header per conversation, as many of the newest as fit the history's bound. */
function grouped(env: VariableEnv, rows: readonly HistoryRow[]): string {
  const groups = new Map<string, string[]>();
  const newest = newestWithin(
    rows.slice().reverse(),
    env.ctx.config.prompt.maxHistoryChars,
    (row) => row.content.length + 12,
  );
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
}

export const allHistoryVariables: Record<string, VariableProvider> = {
  all_conversation_history: allConversationHistory,
};
