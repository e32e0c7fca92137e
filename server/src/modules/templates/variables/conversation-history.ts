import type { BusinessConfig } from '../../config-cache/index.js';
import { extractVariableNames } from '../render-template.js';
import {
  businessConfig,
  type Maybe,
  onceKnown,
  remember,
  type StoredHistory,
  speakerLabel,
  type VariableEnv,
  type VariableProvider,
} from './variable-env.js';
import { listRecentMessages } from './variables.repository.js';

export const DEFAULT_HISTORY_LIMIT = 20;
const LAST_MESSAGES = 10;

type HistoryMessage = StoredHistory['messages'][number];

const HISTORY_VARIABLES = new Set(['conversation_history', 'last_10_messages', 'user_messages']);
const historyLimits = new WeakMap<BusinessConfig, number | null>();

/**
 * How many stored messages the history variables read on this configuration (the `limit` of
 * listRecentMessages), or undefined when none of its templates uses them. Scanned once per config.
 */
export function historyReadLimit(config: BusinessConfig): number | undefined {
  let known = historyLimits.get(config);
  if (known === undefined) {
    const used = [...config.templatesById.values()].some((template) =>
      [...extractVariableNames(template.content), ...extractVariableNames(template.systemPrompt ?? '')].some(
        (name) => HISTORY_VARIABLES.has(name),
      ),
    );
    known = used ? historyLimitOf(config) : null;
    historyLimits.set(config, known);
  }
  return known ?? undefined;
}

function historyLimitOf(config: BusinessConfig) {
  return Math.max(config.business.settings?.history_limit ?? DEFAULT_HISTORY_LIMIT, LAST_MESSAGES);
}

/**
 * The conversation's most recent messages, oldest first, in one bounded query shared by
 * conversation_history, last_10_messages and user_messages. Stops before the message being processed.
 */
function recentMessages(env: VariableEnv, config: BusinessConfig): Maybe<HistoryMessage[] | undefined> {
  const conversationId = env.vc.conversationId;
  const given = env.vc.history;
  if (!conversationId && !given) return undefined;
  const limit = historyLimitOf(config);
  if (given) {
    const at = env.vc.now ?? new Date();
    return given.slice(-limit).map((m) => ({ senderType: m.senderType, content: m.content, createdAt: at }));
  }
  if (!conversationId) return undefined;
  const messageId = env.vc.messageId ?? null;
  const stored = env.vc.storedHistory;
  const rows =
    stored && stored.beforeMessageId === messageId && stored.limit === limit
      ? stored.messages
      : remember(env, `history:${conversationId}:${limit}:${messageId}`, () =>
          listRecentMessages(env.ctx.db, env.vc.businessId, conversationId, messageId, limit),
        );
  return onceKnown(rows, (newestFirst) => newestFirst.slice().reverse());
}

/**
 * The newest items whose text fits in `maxChars` (MAX_HISTORY_CHARS), oldest first: a long history
 * of long messages cannot inflate a prompt; what is left out is the oldest.
 */
export function newestWithin<T>(items: readonly T[], maxChars: number, size: (item: T) => number): T[] {
  let total = 0;
  let start = items.length;
  while (start > 0) {
    const next = total + size(items[start - 1] as T) + 1;
    if (next > maxChars) break;
    total = next;
    start -= 1;
  }
  return items.slice(start);
}

function window(
  env: VariableEnv,
  size: (historyLimit: number) => number,
): Maybe<HistoryMessage[] | undefined> {
  return onceKnown(businessConfig(env), (config) =>
    onceKnown(recentMessages(env, config), (all) => {
      if (!all) return undefined;
      const n = size(config.business.settings?.history_limit ?? DEFAULT_HISTORY_LIMIT);
      return newestWithin(
        all.slice(Math.max(0, all.length - n)),
        env.ctx.config.prompt.maxHistoryChars,
        (message) => message.content.length + 12,
      );
    }),
  );
}

export const historyVariables: Record<string, VariableProvider> = {
  conversation_history: (env) =>
    onceKnown(
      window(env, (limit) => limit),
      (messages) =>
        messages?.map((message) => `${speakerLabel(message.senderType)}: ${message.content}`).join('\n'),
    ),
  last_10_messages: (env) =>
    onceKnown(
      window(env, () => LAST_MESSAGES),
      (messages) =>
        messages?.map((message) => ({
          sender: message.senderType,
          content: message.content,
          created_at: message.createdAt.toISOString(),
        })),
    ),
  user_messages: (env) =>
    onceKnown(
      window(env, (limit) => limit),
      (messages) =>
        messages
          ?.filter((message) => message.senderType === 'user')
          .map((message) => message.content)
          .join('\n'),
    ),
};
