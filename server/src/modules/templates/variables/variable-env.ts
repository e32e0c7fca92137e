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
  memo?: Map<string, Promise<unknown>>;
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
  readonly memo: Map<string, Promise<unknown>>;
}

/**
 * A provider returns the variable's value, or undefined when the context cannot know it (no
 * conversation, no user…): the renderer then reports the variable as missing.
 */
export type VariableProvider = (env: VariableEnv) => unknown | Promise<unknown>;

/** Runs `load` once per key and memo (one turn), however many variables and renders need it. */
export function remember<T>(env: VariableEnv, key: string, load: () => PromiseLike<T>): Promise<T> {
  const existing = env.memo.get(key);
  if (existing) return existing as Promise<T>;
  // Drizzle query builders are lazy thenables that run again on every `then`: settle once, keep the promise.
  const promise = Promise.resolve(load());
  env.memo.set(key, promise);
  return promise;
}

export async function businessConfig(env: VariableEnv): Promise<BusinessConfig> {
  if (env.vc.config) return env.vc.config;
  const config = await remember(env, `config:${env.vc.businessId}`, () =>
    getBusinessConfig(env.ctx, env.vc.businessId),
  );
  if (!config) throw new Error('business not found');
  return config;
}

export interface ConversationFacts {
  userId: string;
  stageId: string | null;
  collectedData: Record<string, unknown>;
}

/** The conversation row, scoped to the business; only read when the caller did not pass what it holds. */
export function conversationFacts(env: VariableEnv): Promise<ConversationFacts | undefined> {
  const conversationId = env.vc.conversationId;
  if (!conversationId) return Promise.resolve(undefined);
  return remember(env, `conversation:${conversationId}`, () =>
    findConversationFacts(env.ctx.db, env.vc.businessId, conversationId),
  );
}

export async function currentUserId(env: VariableEnv): Promise<string | undefined> {
  if (env.vc.userId) return env.vc.userId;
  if (env.vc.userId === null) return undefined;
  return (await conversationFacts(env))?.userId;
}

/** The current stage: the given one, the conversation's, or the entry stage when none is set. */
export async function currentStage(env: VariableEnv): Promise<StageRow | undefined> {
  const config = await businessConfig(env);
  let stageId = env.vc.stageId;
  if (stageId === undefined) stageId = (await conversationFacts(env))?.stageId ?? null;
  const stage = stageId ? config.stagesById.get(stageId) : undefined;
  return stage ?? (config.entryStageId ? config.stagesById.get(config.entryStageId) : undefined);
}

/** The facts collected so far; undefined when there is no conversation to have collected any. */
export async function collectedData(env: VariableEnv): Promise<Record<string, unknown> | undefined> {
  if (env.vc.collectedData) return env.vc.collectedData;
  if (!env.vc.conversationId) return undefined;
  return (await conversationFacts(env))?.collectedData ?? {};
}

export const SPEAKER_LABELS: Record<string, string> = {
  user: 'User',
  assistant: 'Assistant',
  agent: 'Agent',
  system: 'System',
};

export const speakerLabel = (senderType: string) =>
  SPEAKER_LABELS[senderType] ?? senderType.charAt(0).toUpperCase() + senderType.slice(1);
