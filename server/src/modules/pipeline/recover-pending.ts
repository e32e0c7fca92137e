import { and, eq, lt, sql } from 'drizzle-orm';
import type { AppContext } from '../../context.js';
import { conversations, messages } from '../../db/schema.js';
import { ALL_PENDING, type ConversationProcessor } from './conversation-processor.js';

const SWEEP_EVERY_MS = 15_000;
const PENDING_GRACE_SECONDS = 5;

/**
 * Picks up messages left pending by a crash or a dropped request: at start and then periodically,
 * every conversation with a pending message and no live lease is processed in order.
 */
export function createPendingRecovery(
  ctx: AppContext,
  processor: ConversationProcessor,
  onError: (error: unknown, conversationId: string) => void,
) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  async function sweep() {
    const rows = await ctx.db
      .selectDistinct({ conversationId: messages.conversationId })
      .from(messages)
      .innerJoin(conversations, eq(conversations.conversationId, messages.conversationId))
      .where(
        and(
          eq(messages.status, 'pending'),
          lt(messages.createdAt, sql`now() - make_interval(secs => ${PENDING_GRACE_SECONDS})`),
          sql`(${conversations.leaseUntil} is null or ${conversations.leaseUntil} < now())`,
        ),
      )
      .limit(100);
    for (const { conversationId } of rows) {
      if (processor.isBusy(conversationId)) continue;
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
    async start() {
      await runSweep().catch(() => {});
      timer = setInterval(() => void runSweep().catch(() => {}), SWEEP_EVERY_MS);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}
