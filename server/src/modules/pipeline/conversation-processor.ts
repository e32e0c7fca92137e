import { randomUUID } from 'node:crypto';
import { and, asc, eq, lte, sql } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import { conversations, messages } from '../../db/schema.js';
import { KeyedMutex } from '../../lib/keyed-mutex.js';
import type { LlmClient } from '../../llm/llm-client.js';
import { getBusinessConfig } from '../config-cache/business-config-cache.js';
import { isAiStopped } from '../conversations/ai-control.js';
import { persistTurn } from './persist-turn.js';
import type { TurnListener, TurnOutcome } from './pipeline-types.js';
import { runTurn } from './run-turn.js';

const POLL_MS = 25;
/** `untilSequence` meaning every pending message (sequence numbers are PostgreSQL integers). */
export const ALL_PENDING = 2_147_483_647;

interface LeasedConversation {
  businessId: string;
  userId: string;
  stageId: string | null;
  channel: string;
  collectedData: Record<string, unknown>;
  aiStoppedAt: Date | null;
  aiStoppedUntil: Date | null;
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
      try {
        return await this.drain(conversationId, leased, untilSequence, messageId, listener);
      } finally {
        await this.ctx.db
          .update(conversations)
          .set({ leaseOwner: null, leaseUntil: null })
          .where(
            and(eq(conversations.conversationId, conversationId), eq(conversations.leaseOwner, this.owner)),
          );
      }
    });
  }

  private async tryLease(conversationId: string): Promise<LeasedConversation | undefined> {
    const [row] = await this.ctx.db
      .update(conversations)
      .set({ leaseOwner: this.owner, leaseUntil: sql`now() + make_interval(secs => ${this.leaseSeconds})` })
      .where(
        and(
          eq(conversations.conversationId, conversationId),
          sql`(${conversations.leaseOwner} is null or ${conversations.leaseOwner} = ${this.owner} or ${conversations.leaseUntil} < now())`,
        ),
      )
      .returning({
        businessId: conversations.businessId,
        userId: conversations.userId,
        stageId: conversations.stageId,
        channel: conversations.channel,
        collectedData: conversations.collectedData,
        aiStoppedAt: conversations.aiStoppedAt,
        aiStoppedUntil: conversations.aiStoppedUntil,
      });
    return row;
  }

  /** Waits for the lease; gives up once another process has handled our message. */
  private async acquireLease(conversationId: string, untilSequence: number, messageId?: string) {
    for (;;) {
      const leased = await this.tryLease(conversationId);
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

  private async drain(
    conversationId: string,
    leased: LeasedConversation,
    untilSequence: number,
    messageId: string | undefined,
    listener: TurnListener | undefined,
  ): Promise<TurnOutcome | null> {
    const pending = await this.ctx.db
      .select({
        messageId: messages.messageId,
        content: messages.messageContent,
        sequence: messages.sequenceNumber,
      })
      .from(messages)
      .where(
        and(
          eq(messages.conversationId, conversationId),
          eq(messages.status, 'pending'),
          lte(messages.sequenceNumber, untilSequence),
        ),
      )
      .orderBy(asc(messages.sequenceNumber));
    let state = { stageId: leased.stageId, collectedData: leased.collectedData };
    let mine: TurnOutcome | null = null;
    for (const message of pending) {
      const outcome = await this.processOne(
        conversationId,
        leased,
        state,
        message,
        message.messageId === messageId ? listener : undefined,
      );
      state = {
        stageId: outcome.stageId,
        collectedData: { ...state.collectedData, ...outcome.extractedData },
      };
      if (message.messageId === messageId) mine = outcome;
    }
    return mine;
  }

  private async processOne(
    conversationId: string,
    leased: LeasedConversation,
    state: { stageId: string | null; collectedData: Record<string, unknown> },
    message: { messageId: string; content: string; sequence: number },
    listener: TurnListener | undefined,
  ): Promise<TurnOutcome> {
    const { ctx } = this;
    const config = await getBusinessConfig(ctx, leased.businessId);
    if (!config) throw new Error('business vanished while processing');
    if (isAiStopped(leased)) {
      await ctx.db
        .update(messages)
        .set({ status: 'skipped' })
        .where(eq(messages.messageId, message.messageId));
      ctx.metrics.messagesProcessed.inc({ outcome: 'ai_stopped' });
      return {
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
    }
    const turn = await runTurn(ctx, this.llm, {
      config,
      conversationId,
      userId: leased.userId,
      stageId: state.stageId,
      collectedData: state.collectedData,
      messageId: message.messageId,
      messageContent: message.content,
      listener,
    });
    const { reply } = await persistTurn(ctx.db, {
      businessId: leased.businessId,
      conversationId,
      messageId: message.messageId,
      messageSequence: message.sequence,
      channel: leased.channel,
      collectedData: state.collectedData,
      turn,
    });
    ctx.metrics.messagesProcessed.inc({ outcome: turn.fallback ? 'fallback' : turn.engine });
    return {
      messageId: message.messageId,
      status: 'processed',
      responseId: reply.messageId,
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
