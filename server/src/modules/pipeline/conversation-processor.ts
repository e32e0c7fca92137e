import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { AppContext } from '../../context.js';
import { KeyedMutex } from '../../lib/keyed-mutex.js';
import { tracing } from '../../lib/tracing.js';
import type { LlmClient } from '../../llm/llm-client.js';
import type { StepOutcome } from '../../plugins/metrics.js';
import { getBusinessConfig, loadConfigForTarget } from '../config-cache/index.js';
import { isAiStopped, publishConversationEvent } from '../conversations/index.js';
import { historyReadLimit, type StoredHistory } from '../templates/index.js';
import { asksForHuman } from './asks-for-human.js';
import { announceHandoff, handoffReason, handoffTurn } from './handoff.js';
import type { ProcessingStep, TurnListener, TurnOutcome } from './pipeline-types.js';
import { entryStageOf, runTurn } from './run-turn.js';
import { hasHumanRule } from './transition-rules.js';
import {
  hasPendingMessage,
  type LeasedConversation,
  leasedFromRow,
  markMessageSkipped,
  type PendingMessage,
  persistTurn,
  releaseLease,
  releaseLeasesOf,
  renewLease,
  tryLease,
} from './turn.repository.js';

const POLL_MS = 25;
const LAST_RUNS_KEPT = 50_000;

/** What a message's insert needs to take the lease itself (insertMessage's `lease`), and when it did. */
export interface LeaseTicket {
  owner: string;
  seconds: number;
  historyLimit: number | undefined;
  /** The processor's count of runs started when the ticket was issued. */
  runsBefore: number;
  /** performance.now() when the ticket was issued, before the insert: the lease is younger. */
  issuedAt: number;
}

/** A lease an insert took with a ticket, and the conversation as it read it: `process`'s `takenAtInsert`. */
export interface TakenAtInsert {
  ticket: LeaseTicket;
  leased: LeasedConversation;
}

/** A step's outcome for the metrics: the reply step of a fallback turn counts as `fallback`. */
function stepOutcome(step: ProcessingStep, fallback: boolean): StepOutcome {
  if (fallback && step.step === 'response_generation') return 'fallback';
  if (step.status === 'error') return step.error === 'timeout' ? 'timeout' : 'error';
  return step.skipped || step.status === 'skipped' ? 'skipped' : 'ok';
}
/** `untilSequence` meaning every pending message (sequence numbers are PostgreSQL integers). */
export const ALL_PENDING = 2_147_483_647;

/**
 * Processes a conversation's pending messages strictly in sequence order: one at a time in this
 * process (keyed mutex) and across processes (a lease row on the conversation in the database).
 */
export class ConversationProcessor {
  private readonly local = new KeyedMutex();
  private readonly owner = `${process.pid}-${randomUUID()}`;
  private readonly leaseSeconds: number;
  // The history limit each conversation's last turn here rendered with: a caller that cannot know it
  // before the lease (a webhook or recovered turn) lets the lease read the history with it. A stale
  // limit costs nothing but the read: the turn uses leased rows only when its limit matches.
  private readonly historyLimits = new LRUCache<string, number>({ max: 50_000 });
  // Runs started here so far, and each conversation's latest: whether a lease taken with a message's
  // insert is still whole when its run starts (`leaseAtInsert`).
  private runsStarted = 0;
  private readonly lastRunOf = new LRUCache<string, number>({ max: LAST_RUNS_KEPT });

  constructor(
    private readonly ctx: AppContext,
    private readonly llm: LlmClient | null,
  ) {
    // Short, renewed by a heartbeat while the turn runs: a crashed owner's conversations are free again
    // within TURN_LEASE_MS, however long turns may take.
    this.leaseSeconds = ctx.config.turnLeaseMs / 1000;
  }

  /**
   * Shutdown past its deadline: gives up every conversation this process still holds, so another
   * process (its recovery sweep) takes them over now instead of when the leases lapse. A turn still
   * running here that finishes anyway stores its reply only while its message is pending (one
   * answer, whoever is first), and the heartbeat renews only a lease we hold. Returns the count.
   */
  releaseAllLeases() {
    return releaseLeasesOf(this.ctx.db, this.owner);
  }

  isBusy(conversationId: string) {
    return this.local.isBusy(conversationId);
  }

  /**
   * For a customer message about to be stored, whose turn `process` runs next: its insert may take
   * the lease too (free, nothing else pending), saving the lease's own statement and commit.
   */
  leaseAtInsert(historyLimit: number | undefined): LeaseTicket {
    return {
      owner: this.owner,
      seconds: this.leaseSeconds,
      historyLimit,
      runsBefore: this.runsStarted,
      issuedAt: performance.now(),
    };
  }

  /** What `process` needs of a lease taken with `ticket`: the insert's `leased` row and its message. */
  leasedAtInsert(ticket: LeaseTicket, row: Record<string, unknown>, message: PendingMessage): TakenAtInsert {
    return { ticket, leased: leasedFromRow(row, [message], ticket.historyLimit) };
  }

  /**
   * Whether a lease taken with the ticket's insert is still whole: no run of the conversation here
   * began since the ticket, or is still going (a run here releases this process's lease when it ends),
   * and it is younger than a heartbeat's interval, so it cannot have lapsed (a webhook's turn may wait
   * in the TurnScheduler's queue; a lease that old is taken again, as it is ours or free).
   */
  private leaseStillWhole(conversationId: string, ticket: LeaseTicket) {
    if (this.local.isBusy(conversationId)) return false;
    if (performance.now() - ticket.issuedAt >= this.heartbeatMs()) return false;
    if (this.runsStarted - ticket.runsBefore >= LAST_RUNS_KEPT) return false;
    return (this.lastRunOf.get(conversationId) ?? 0) <= ticket.runsBefore;
  }

  /**
   * Processes every pending message up to `untilSequence` and returns the outcome of `messageId`
   * (`null` when another process handled it; the caller reads the stored result). `historyLimit`
   * (historyReadLimit of the configuration the caller expects): the lease reads the first message's
   * history too, saving the turn that statement when its configuration asks for that limit.
   * `takenAtInsert`: the lease the message's insert took with a `leaseAtInsert` ticket, used when
   * still whole (else the lease is taken as usual: it is this process's already).
   */
  process(
    conversationId: string,
    untilSequence: number,
    messageId?: string,
    listener?: TurnListener,
    historyLimit?: number,
    takenAtInsert?: TakenAtInsert,
  ) {
    const arrived = performance.now();
    const prefetched =
      takenAtInsert && this.leaseStillWhole(conversationId, takenAtInsert.ticket)
        ? takenAtInsert.leased
        : undefined;
    this.lastRunOf.set(conversationId, ++this.runsStarted);
    return this.local.run(conversationId, async () => {
      const limit = historyLimit ?? this.historyLimits.get(conversationId);
      const leased = prefetched ?? (await this.acquireLease(conversationId, untilSequence, messageId, limit));
      if (!leased) return null;
      this.ctx.metrics.leaseWait.observe((performance.now() - arrived) / 1000);
      let released = false;
      const heartbeat = this.startHeartbeat(conversationId);
      try {
        let state = { stageId: leased.stageId, collectedData: leased.collectedData };
        let mine: TurnOutcome | null = null;
        for (const [index, message] of leased.pending.entries()) {
          const last = index === leased.pending.length - 1;
          const outcome = await this.processOne(conversationId, leased, state, message, {
            listener: message.messageId === messageId ? listener : undefined,
            releaseLease: last,
            // Later messages' histories hold the replies written since: read then, as before.
            history: index === 0 ? leased.history : undefined,
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
        await heartbeat.stop();
        if (!released) await this.releaseLease(conversationId);
      }
    });
  }

  /** Renews the lease every third of TURN_LEASE_MS until stopped; a failed renewal is retried next beat. */
  private startHeartbeat(conversationId: string) {
    let beating: Promise<unknown> = Promise.resolve();
    const timer = setInterval(() => {
      beating = renewLease(this.ctx.db, this.owner, conversationId, this.leaseSeconds).catch(() => {});
    }, this.heartbeatMs());
    timer.unref();
    return {
      async stop() {
        clearInterval(timer);
        await beating;
      },
    };
  }

  private heartbeatMs() {
    return Math.max(100, Math.floor(this.ctx.config.turnLeaseMs / 3));
  }

  private releaseLease(conversationId: string) {
    return releaseLease(this.ctx.db, this.owner, conversationId);
  }

  /** Waits for the lease; gives up once another process has handled our message. */
  private async acquireLease(
    conversationId: string,
    untilSequence: number,
    messageId: string | undefined,
    historyLimit: number | undefined,
  ) {
    for (;;) {
      const lease = { owner: this.owner, seconds: this.leaseSeconds };
      const leased = await tryLease(this.ctx.db, lease, conversationId, untilSequence, historyLimit);
      if (leased) return leased;
      if (!(await hasPendingMessage(this.ctx.db, conversationId, untilSequence, messageId))) return undefined;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS + Math.random() * POLL_MS));
    }
  }

  /** One message's turn, as a span `turn` (ids only) and in the turn and step metrics. */
  private processOne(
    conversationId: string,
    leased: LeasedConversation,
    state: { stageId: string | null; collectedData: Record<string, unknown> },
    message: PendingMessage,
    options: {
      listener: TurnListener | undefined;
      releaseLease: boolean;
      history: StoredHistory | undefined;
    },
  ): Promise<TurnOutcome | null> {
    const attributes = {
      'icmp.business_id': leased.businessId,
      'icmp.conversation_id': conversationId,
      'icmp.message_id': message.messageId,
      'icmp.channel': leased.channel,
    };
    return tracing().span('turn', attributes, async (span) => {
      const started = performance.now();
      const outcome = await this.runOne(conversationId, leased, state, message, options);
      const label = !outcome
        ? 'handled_elsewhere'
        : outcome.status === 'skipped'
          ? 'ai_stopped'
          : outcome.fallback
            ? 'fallback'
            : outcome.engine;
      span.set({ 'icmp.outcome': label, ...(outcome?.stageId ? { 'icmp.stage_id': outcome.stageId } : {}) });
      if (outcome?.status === 'processed') {
        this.ctx.metrics.turnDuration.observe({ outcome: label }, (performance.now() - started) / 1000);
        for (const step of outcome.steps) {
          this.ctx.metrics.recordStep(step.step, stepOutcome(step, outcome.fallback), step.latency_ms);
        }
      }
      return outcome;
    });
  }

  private async runOne(
    conversationId: string,
    leased: LeasedConversation,
    state: { stageId: string | null; collectedData: Record<string, unknown> },
    message: PendingMessage,
    options: {
      listener: TurnListener | undefined;
      releaseLease: boolean;
      history: StoredHistory | undefined;
    },
  ): Promise<TurnOutcome | null> {
    const { ctx } = this;
    // A simulator message may ask for the working draft; everything else runs on the published configuration.
    const config =
      message.configuration === 'draft' && leased.channel === 'simulator'
        ? await loadConfigForTarget(ctx.db, leased.businessId, 'draft')
        : await getBusinessConfig(ctx, leased.businessId);
    if (!config) throw new Error('business vanished while processing');
    const historyLimit = historyReadLimit(config);
    if (historyLimit === undefined) this.historyLimits.delete(conversationId);
    else this.historyLimits.set(conversationId, historyLimit);
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
      await markMessageSkipped(ctx.db, message.messageId);
      ctx.metrics.messagesProcessed.inc({ outcome: 'ai_stopped' });
      return skipped;
    }
    // "Typing…" for live views and channel senders while the turn runs; off however it ends.
    const typing = (on: boolean) =>
      publishConversationEvent(ctx, {
        type: 'typing',
        business_id: leased.businessId,
        conversation_id: conversationId,
        on,
        channel: leased.channel,
        message_id: message.messageId,
      });
    const typingOff = (error: unknown) => {
      typing(false);
      throw error;
    };
    typing(true);
    // A customer asking for a person gets the hand-off message at once, without the model — unless the
    // stage has an `asks_for_human` transition rule: then the turn moves to its target (runTurn).
    const askedForHuman =
      asksForHuman(message.content) && !hasHumanRule(config, entryStageOf(config, state.stageId));
    const turn = await (askedForHuman
      ? Promise.resolve().then(() =>
          handoffTurn(config, state.stageId, this.llm ? 'llm' : 'offline', state.collectedData),
        )
      : runTurn(ctx, this.llm, {
          config,
          conversationId,
          userId: leased.userId,
          user: leased.user,
          stageId: state.stageId,
          collectedData: state.collectedData,
          messageId: message.messageId,
          messageContent: message.content,
          listener: options.listener,
          storedHistory: options.history,
        })
    ).catch(typingOff);
    const handoff = handoffReason(askedForHuman, turn);
    const persisted = await persistTurn(ctx.db, {
      businessId: leased.businessId,
      conversationId,
      messageId: message.messageId,
      messageSequence: message.sequence,
      channel: leased.channel,
      turn,
      releaseLeaseOf: options.releaseLease ? this.owner : undefined,
      handoff: handoff !== null,
    }).finally(() => typing(false));
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
    if (turn.stage.stageId !== turn.previousStage.stageId) {
      publishConversationEvent(ctx, {
        type: 'stage',
        business_id: leased.businessId,
        conversation_id: conversationId,
        stage_id: turn.stage.stageId,
        stage_name: turn.stage.stageName,
        previous_stage_id: turn.previousStage.stageId,
      });
    }
    if (handoff) {
      // The AI is stopped now: later messages of this drain are kept unanswered, like any stop.
      leased.aiStoppedAt = new Date();
      leased.aiStoppedUntil = null;
      announceHandoff(ctx, { businessId: leased.businessId, conversationId }, handoff);
    }
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
      stageComplete: turn.complete,
      steps: turn.steps,
    };
  }
}
