/**
 * The per-process admission queue of background turns (webhook messages, processed after the ack).
 *
 * Unbounded, every acknowledged webhook started its turn at once, so a burst of webhooks became
 * hundreds of concurrent turns (LLM calls, SQL, Graph sends) competing with the acknowledgements for
 * the event loop and the database pool. Here at most `concurrency` turns run at a time and the rest
 * wait, first come first served by their first queued message.
 *
 * - Nothing is lost: a queued message is already stored `pending` (it was stored before the ack), so
 *   if the process dies with a queue, the pending-message sweep of any process picks it up.
 * - One entry per conversation: a message for a conversation already waiting raises that entry's
 *   sequence (the processor handles every pending message up to it, in order) instead of taking a
 *   second place, so the queue holds at most one entry per conversation with pending work.
 * - A conversation already running here is not started twice: its next entry waits until the
 *   running turn ends, without holding a slot.
 * - Order and exactly-once stay the processor's (keyed mutex here, lease row across processes).
 */
export class TurnScheduler {
    concurrency;
    run;
    onError;
    onDepth;
    /** conversationId → highest sequence to process; Map order is arrival order (FIFO). */
    queued = new Map();
    running = new Set();
    idleWaiters = new Set();
    stopped = false;
    constructor(concurrency, run, onError, onDepth = () => { }) {
        this.concurrency = concurrency;
        this.run = run;
        this.onError = onError;
        this.onDepth = onDepth;
    }
    /** Queues the conversation's pending messages up to `untilSequence`; starts it if a slot is free. */
    submit(conversationId, untilSequence) {
        if (this.stopped)
            return;
        this.queued.set(conversationId, Math.max(this.queued.get(conversationId) ?? 0, untilSequence));
        this.pump();
    }
    /** Whether this process has the conversation queued or running (the sweep leaves it alone). */
    has(conversationId) {
        return this.queued.has(conversationId) || this.running.has(conversationId);
    }
    get depth() {
        return { queued: this.queued.size, running: this.running.size };
    }
    /** Resolves when nothing is queued or running (tests). */
    idle() {
        if (this.queued.size === 0 && this.running.size === 0)
            return Promise.resolve();
        return new Promise((resolve) => this.idleWaiters.add(resolve));
    }
    /**
     * Stops admitting work and forgets the queue (those messages stay pending in the database for the
     * sweep); waits for the turns already running.
     */
    async stop() {
        this.stopped = true;
        this.queued.clear();
        this.report();
        await this.idle();
    }
    pump() {
        while (this.running.size < this.concurrency) {
            const next = this.nextRunnable();
            if (!next)
                break;
            const [conversationId, untilSequence] = next;
            this.queued.delete(conversationId);
            this.running.add(conversationId);
            this.run(conversationId, untilSequence)
                .catch((error) => this.onError(error, conversationId))
                .finally(() => {
                this.running.delete(conversationId);
                if (!this.stopped)
                    this.pump();
                this.report();
            });
        }
        this.report();
    }
    /** The oldest queued conversation not running now (skips at most `concurrency` entries). */
    nextRunnable() {
        for (const entry of this.queued)
            if (!this.running.has(entry[0]))
                return entry;
        return undefined;
    }
    report() {
        this.onDepth(this.queued.size, this.running.size);
        if (this.queued.size === 0 && this.running.size === 0) {
            for (const resolve of this.idleWaiters)
                resolve();
            this.idleWaiters.clear();
        }
    }
}
//# sourceMappingURL=turn-scheduler.js.map