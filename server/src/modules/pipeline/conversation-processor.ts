import { randomUUID } from 'node:crypto';
import { and, eq, lte, sql } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import { fromJson, rowsOf, toDate } from '../../db/raw-rows.js';
import { conversations, messages } from '../../db/schema.js';
import { KeyedMutex } from '../../lib/keyed-mutex.js';
import type { LlmClient } from '../../llm/llm-client.js';
import { getBusinessConfig } from '../config-cache/business-config-cache.js';
import { isAiStopped } from '../conversations/ai-control.js';
import { publishConversationEvent } from '../conversations/conversation-events.js';
import { persistTurn } from './persist-turn.js';
import type { TurnListener, TurnOutcome } from './pipeline-types.js';
import { runTurn } from './run-turn.js';

const POLL_MS = 25;
/** `untilSequence` meaning every pending message (sequence numbers are PostgreSQL integers). */
export const ALL_PENDING = 2_147_483_647;

interface PendingMessage {
  messageId: string;
  content: string;
  sequence: number;
}

interface LeasedConversation {
  businessId: string;
  userId: string;
  stageId: string | null;
  channel: string;
  collectedData: Record<string, unknown>;
  aiStoppedAt: Date | null;
  aiStoppedUntil: Date | null;
  pending: PendingMessage[];
  user: { firstName: string; lastName: string };
}

/**
 * Processes a conversation's pending messages strictly in sequence order: one at a time in this
 * process (keyed mutex) and across processes (a lease row on the conversation in the database).
 */
export class ConversationProcessor {
  private readonly local = new KeyedMutex();
  private readonly owner = `${process.pid}-${randomUUID()}`;
  private readonly leaseSeconds: number;

  constructor(
    private readonly ctx: AppContext,
    private readonly llm: LlmClient | null,
  ) {
    const { timeoutMs, maxRetries } = ctx.config.llm;
    // Long enough for three steps that each use every retry; a crashed owner's lease expires after it.
    this.leaseSeconds = Math.ceil(((timeoutMs * (maxRetries + 1) + 2000) * 3) / 1000) + 10;
  }

  isBusy(conversationId: string) {
    return this.local.isBusy(conversationId);
  }

  /**
   * Processes every pending message up to `untilSequence` and returns the outcome of `messageId`
   * (`null` when another process handled it; the caller reads the stored result).
   */
  process(conversationId: string, untilSequence: number, messageId?: string, listener?: TurnListener) {
    return this.local.run(conversationId, async () => {
      const leased = await this.acquireLease(conversationId, untilSequence, messageId);
      if (!leased) return null;
      let released = false;
      try {
        let state = { stageId: leased.stageId, collectedData: leased.collectedData };
        let mine: TurnOutcome | null = null;
        for (const [index, message] of leased.pending.entries()) {
          const last = index === leased.pending.length - 1;
          const outcome = await this.processOne(conversationId, leased, state, message, {
            listener: message.messageId === messageId ? listener : undefined,
            releaseLease: last,
          });
          released = last && outcome?.status === 'processed';
          if (!outcome) continue;
          state = {
            stageId: outcome.stageId,
            collectedData: { ...state.collectedData, ...outcome.extractedData },
          };
          if (message.messageId === messageId) mine = outcome;
        }
        return mine;
      } finally {
        if (!released) await this.releaseLease(conversationId);
      }
    });
  }

  private releaseLease(conversationId: string) {
    return this.ctx.db
      .update(conversations)
      .set({ leaseOwner: null, leaseUntil: null })
      .where(and(eq(conversations.conversationId, conversationId), eq(conversations.leaseOwner, this.owner)));
  }

  /** Takes the lease and, in the same statement, reads the conversation's state and pending messages. */
  private async tryLease(
    conversationId: string,
    untilSequence: number,
  ): Promise<LeasedConversation | undefined> {
    const [row] = rowsOf(
      await this.ctx.db.execute(sql`
      WITH lease AS (
        UPDATE conversations
           SET lease_owner = ${this.owner}, lease_until = now() + make_interval(secs => ${this.leaseSeconds})
         WHERE conversation_id = ${conversationId}
           AND (lease_owner IS NULL OR lease_owner = ${this.owner} OR lease_until < now())
        RETURNING business_id, user_id, stage_id, channel, collected_data, ai_stopped_at, ai_stopped_until
      )
      SELECT lease.*, u.first_name, u.last_name,
             (SELECT coalesce(json_agg(json_build_object('messageId', m.message_id, 'content', m.message_content,
                                                         'sequence', m.sequence_number) ORDER BY m.sequence_number), '[]')
                FROM messages m
               WHERE m.conversation_id = ${conversationId} AND m.status = 'pending'
                 AND m.sequence_number <= ${untilSequence}::int) AS pending
        FROM lease LEFT JOIN users u ON u.user_id = lease.user_id`),
    );
    if (!row) return undefined;
    return {
      businessId: String(row.business_id),
      userId: String(row.user_id),
      stageId: (row.stage_id as string | null) ?? null,
      channel: String(row.channel),
      collectedData: fromJson(row.collected_data as Record<string, unknown> | null) ?? {},
      aiStoppedAt: row.ai_stopped_at ? toDate(row.ai_stopped_at) : null,
      aiStoppedUntil: row.ai_stopped_until ? toDate(row.ai_stopped_until) : null,
      pending: fromJson(row.pending as PendingMessage[] | null) ?? [],
      user: { firstName: String(row.first_name ?? ''), lastName: String(row.last_name ?? '') },
    };
  }

  /** Waits for the lease; gives up once another process has handled our message. */
  private async acquireLease(conversationId: string, untilSequence: number, messageId?: string) {
    for (;;) {
      const leased = await this.tryLease(conversationId, untilSequence);
      if (leased) return leased;
      const [pending] = await this.ctx.db
        .select({ id: messages.messageId })
        .from(messages)
        .where(
          and(
            eq(messages.conversationId, conversationId),
            eq(messages.status, 'pending'),
            lte(messages.sequenceNumber, untilSequence),
            ...(messageId ? [eq(messages.messageId, messageId)] : []),
          ),
        )
        .limit(1);
      if (!pending) return undefined;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS + Math.random() * POLL_MS));
    }
  }

  private async processOne(
    conversationId: string,
    leased: LeasedConversation,
    state: { stageId: string | null; collectedData: Record<string, unknown> },
    message: PendingMessage,
    options: { listener: TurnListener | undefined; releaseLease: boolean },
  ): Promise<TurnOutcome | null> {
    const { ctx } = this;
    const config = await getBusinessConfig(ctx, leased.businessId);
    if (!config) throw new Error('business vanished while processing');
    const skipped: TurnOutcome = {
      messageId: message.messageId,
      status: 'skipped',
      responseId: null,
      response: null,
      stageId: state.stageId,
      stageName: null,
      previousStageId: state.stageId,
      extractedData: {},
      fallback: false,
      engine: this.llm ? 'llm' : 'offline',
      steps: [],
    };
    if (isAiStopped(leased)) {
      await ctx.db
        .update(messages)
        .set({ status: 'skipped' })
        .where(eq(messages.messageId, message.messageId));
      ctx.metrics.messagesProcessed.inc({ outcome: 'ai_stopped' });
      return skipped;
    }
    const turn = await runTurn(ctx, this.llm, {
      config,
      conversationId,
      userId: leased.userId,
      user: leased.user,
      stageId: state.stageId,
      collectedData: state.collectedData,
      messageId: message.messageId,
      messageContent: message.content,
      listener: options.listener,
    });
    const persisted = await persistTurn(ctx.db, {
      businessId: leased.businessId,
      conversationId,
      messageId: message.messageId,
      messageSequence: message.sequence,
      channel: leased.channel,
      turn,
      releaseLeaseOf: options.releaseLease ? this.owner : undefined,
    });
    // Not pending any more (deleted, or handled elsewhere after our lease expired): nothing was written,
    // and the caller answers from what is stored.
    if (!persisted) return null;
    publishConversationEvent(ctx, {
      type: 'message',
      business_id: leased.businessId,
      conversation_id: conversationId,
      message_id: persisted.replyId,
      sender_type: 'assistant',
      channel: leased.channel,
    });
    ctx.metrics.messagesProcessed.inc({ outcome: turn.fallback ? 'fallback' : turn.engine });
    return {
      messageId: message.messageId,
      status: 'processed',
      responseId: persisted.replyId,
      response: turn.reply,
      stageId: turn.stage.stageId,
      stageName: turn.stage.stageName,
      previousStageId: turn.previousStage.stageId,
      extractedData: turn.extracted,
      fallback: turn.fallback,
      engine: turn.engine,
      steps: turn.steps,
    };
  }
}
