import type { AppContext } from '../../context.js';
import { ALL_PENDING, type ConversationProcessor } from './conversation-processor.js';
import { findStalledConversations } from './turn.repository.js';

const PENDING_GRACE_SECONDS = 5;

/**
 * Picks up messages left pending by a crash or a dropped request: at start and then periodically,
 * every conversation with a pending message and no live lease is processed in order.
 */
export function createPendingRecovery(
  ctx: AppContext,
  processor: ConversationProcessor,
  onError: (error: unknown, conversationId: string) => void,
  /** Conversations this process already has queued for processing (the webhook turn queue). */
  isQueued: (conversationId: string) => boolean = () => false,
) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  async function sweep() {
    const stalled = await findStalledConversations(ctx.db, PENDING_GRACE_SECONDS, 100);
    for (const conversationId of stalled) {
      if (processor.isBusy(conversationId) || isQueued(conversationId)) continue;
      try {
        await processor.process(conversationId, ALL_PENDING);
      } catch (error) {
        ctx.metrics.messagesProcessed.inc({ outcome: 'recovery_error' });
        onError(error, conversationId);
      }
    }
  }

  const runSweep = () => {
    if (!running) running = sweep().finally(() => (running = undefined));
    return running;
  };

  return {
    sweep: runSweep,
    start() {
      // Not awaited: a sweep runs whole turns, and after a crash with a backlog (or with a slow model)
      // the first one took minutes, during which the process did not listen: no health check, no traffic.
      void runSweep().catch(() => {});
      // As often as a dead process's lease can expire (TURN_LEASE_MS), between 2 and 15 seconds.
      const every = Math.min(15_000, Math.max(2_000, ctx.config.turnLeaseMs));
      timer = setInterval(() => void runSweep().catch(() => {}), every);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}
