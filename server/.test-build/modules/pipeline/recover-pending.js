import { ALL_PENDING } from './conversation-processor.js';
import { findStalledConversations } from './turn.repository.js';
const PENDING_GRACE_SECONDS = 5;
/**
 * Picks up messages left pending by a crash or a dropped request: at start and then periodically,
 * every conversation with a pending message and no live lease is processed in order.
 */
export function createPendingRecovery(ctx, processor, onError, 
/** Conversations this process already has queued for processing (the webhook turn queue). */
isQueued = () => false) {
    let timer;
    let running;
    async function sweep() {
        const stalled = await findStalledConversations(ctx.db, PENDING_GRACE_SECONDS, 100);
        for (const conversationId of stalled) {
            if (processor.isBusy(conversationId) || isQueued(conversationId))
                continue;
            try {
                await processor.process(conversationId, ALL_PENDING);
            }
            catch (error) {
                ctx.metrics.messagesProcessed.inc({ outcome: 'recovery_error' });
                onError(error, conversationId);
            }
        }
    }
    const runSweep = () => {
        if (!running)
            running = sweep().finally(() => (running = undefined));
        return running;
    };
    return {
        sweep: runSweep,
        async start() {
            await runSweep().catch(() => { });
            // As often as a dead process's lease can expire (TURN_LEASE_MS), between 2 and 15 seconds.
            const every = Math.min(15_000, Math.max(2_000, ctx.config.turnLeaseMs));
            timer = setInterval(() => void runSweep().catch(() => { }), every);
            timer.unref();
        },
        async stop() {
            if (timer)
                clearInterval(timer);
            await running?.catch(() => { });
        },
    };
}
//# sourceMappingURL=recover-pending.js.map