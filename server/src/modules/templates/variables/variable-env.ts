import type { AppContext } from '../../../context.js';
import type { StageRow } from '../../config-cache/index.js';
import { type BusinessConfig, getBusinessConfig } from '../../config-cache/index.js';
import { findConversationFacts } from './variables.repository.js';

export interface VariableContext {
  businessId: string;
  conversationId?: string | null;
  userId?: string | null;
  /** The customer's profile names when the caller already has them (saves the user query). */
  user?: { firstName: string; lastName: string } | undefined;
  /** Current stage; null means the business's entry stage; undefined: the conversation's stage. */
  stageId?: string | null;
  /** undefined: looked up from the conversation's last stage transition (one query, only when used). */
  previousStageId?: string | null;
  messageContent?: string;
  /**
   * The message being processed: history variables stop before it, so the new message is not shown
   * twice (once in the history, once as {{message_content}}).
   */
  messageId?: string | null;
  /** Facts already known (collected_data merged with this turn's extraction); wins over the DB. */
  collectedData?: Record<string, unknown>;
  now?: Date;
  /** Per-message memo shared by the three renders of one turn so nothing is computed twice. */
  memo?: Map<string, unknown>;
  /** The configuration the turn runs on (a test run's draft or release); default: the live one. */
  config?: BusinessConfig | undefined;
  /**
   * The conversation so far when it is not stored (a golden test case), oldest first: the history
   * variables read it instead of the database.
   */
  history?: readonly HistoryEntry[] | undefined;
  /**
   * The stored history already read (with the conversation's lease): used instead of reading it again
   * when it was read before this `messageId` with the limit this configuration asks for.
   */
  storedHistory?: StoredHistory | undefined;
}

/** What listRecentMessages answers (newest first) before `beforeMessageId` with `limit`, read ahead (with the lease). */
export interface StoredHistory {
  beforeMessageId: string;
  limit: number;
  messages: { senderType: string; content: string; createdAt: Date }[];
}

export interface HistoryEntry {
  senderType: string;
  content: string;
}

/** What one computation shares between its providers. */
export interface VariableEnv {
  readonly ctx: AppContext;
  readonly vc: VariableContext;
  readonly memo: Map<string, unknown>;
}

/**
 * A value the turn already holds, or one still to be read. A turn's context carries the configuration,
 * stage, facts and history its prompts quote, so most variables are known at once: answering them
 * without a promise spares a turn's three renders about a hundred promises and their microtasks
 * (ARCHITECTURE's twenty-ninth pass). What must be read from the database is a promise.
 */
export type Maybe<T> = T | Promise<T>;

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as PromiseLike<unknown> | null)?.then === 'function';

/** Whether a `Maybe` is still to be read (the values themselves are rows, strings and records). */
export const isPending = <T>(value: Maybe<T>): value is Promise<T> => value instanceof Promise;

/** `next` applied to the value: at once when it is known, when it settles otherwise. */
export function onceKnown<T, R>(value: Maybe<T>, next: (value: T) => Maybe<R>): Maybe<R> {
  return isPending(value) ? value.then(next) : next(value);
}

/**
 * A provider returns the variable's value, or undefined when the context cannot know it (no
 * conversation, no user…): the renderer then reports the variable as missing.
 */
export type VariableProvider = (env: VariableEnv) => unknown;

/**
 * Runs `load` once per key and memo (one turn), however many variables and renders need it. A loaded
 * value is kept as it is, so later readers get it without waiting; a load still running, or one that
 * failed, is kept as its promise.
 */
export function remember<T>(env: VariableEnv, key: string, load: () => T | PromiseLike<T>): Maybe<T> {
  if (env.memo.has(key)) return env.memo.get(key) as Maybe<T>;
  const loaded = load();
  if (!isThenable(loaded)) {
    env.memo.set(key, loaded);
    return loaded;
  }
  // Drizzle query builders are lazy thenables that run again on every `then`: settle once, keep the promise.
  const promise = Promise.resolve(loaded);
  env.memo.set(key, promise);
  promise.then(
    (value) => env.memo.set(key, value),
    () => {},
  );
  return promise;
}

export function businessConfig(env: VariableEnv): Maybe<BusinessConfig> {
  if (env.vc.config) return env.vc.config;
  return onceKnown(
    remember(env, `config:${env.vc.businessId}`, () => getBusinessConfig(env.ctx, env.vc.businessId)),
    (config) => {
      if (!config) throw new Error('business not found');
      return config;
    },
  );
}

export interface ConversationFacts {
  userId: string;
  stageId: string | null;
  collectedData: Record<string, unknown>;
}

/** The conversation row, scoped to the business; only read when the caller did not pass what it holds. */
export function conversationFacts(env: VariableEnv): Maybe<ConversationFacts | undefined> {
  const conversationId = env.vc.conversationId;
  if (!conversationId) return undefined;
  return remember(env, `conversation:${conversationId}`, () =>
    findConversationFacts(env.ctx.db, env.vc.businessId, conversationId),
  );
}

export function currentUserId(env: VariableEnv): Maybe<string | undefined> {
  if (env.vc.userId) return env.vc.userId;
  if (env.vc.userId === null) return undefined;
  return onceKnown(conversationFacts(env), (facts) => facts?.userId);
}

function stageOf(config: BusinessConfig, stageId: string | null): StageRow | undefined {
  const stage = stageId ? config.stagesById.get(stageId) : undefined;
  return stage ?? (config.entryStageId ? config.stagesById.get(config.entryStageId) : undefined);
}

/** The current stage: the given one, the conversation's, or the entry stage when none is set. */
export function currentStage(env: VariableEnv): Maybe<StageRow | undefined> {
  return onceKnown(businessConfig(env), (config) => {
    const stageId = env.vc.stageId;
    if (stageId !== undefined) return stageOf(config, stageId);
    return onceKnown(conversationFacts(env), (facts) => stageOf(config, facts?.stageId ?? null));
  });
}

/** The facts collected so far; undefined when there is no conversation to have collected any. */
export function collectedData(env: VariableEnv): Maybe<Record<string, unknown> | undefined> {
  if (env.vc.collectedData) return env.vc.collectedData;
  if (!env.vc.conversationId) return undefined;
  return onceKnown(conversationFacts(env), (facts) => facts?.collectedData ?? {});
}

export const SPEAKER_LABELS: Record<string, string> = {
  user: 'User',
  assistant: 'Assistant',
  agent: 'Agent',
  system: 'System',
};

export const speakerLabel = (senderType: string) =>
  SPEAKER_LABELS[senderType] ?? senderType.charAt(0).toUpperCase() + senderType.slice(1);
