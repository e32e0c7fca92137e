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
 * - An entry may carry the lease its message's insert took (`T`, handed to `run`). A second message
 *   for the entry drops it: that lease read one pending message, so the run takes the lease again and
 *   reads them all.
 * - A conversation already running here is not started twice: its next entry waits until the
 *   running turn ends, without holding a slot.
 * - Order and exactly-once stay the processor's (keyed mutex here, lease row across processes).
 * - Acknowledgements first: while webhooks are being stored (`ingest`), no turn starts, for at most
 *   `holdMs`. A burst of deliveries is then acknowledged before its turns' statements and LLM requests
 *   compete with it for the pool and the event loop; a turn already waits 100s of ms for the LLM, so
 *   starting it a few ms later costs it little. Under a steady stream the hold bounds the delay.
 */
export class TurnScheduler<T = never> {
  /** conversationId → highest sequence to process; Map order is arrival order (FIFO). */
  private readonly queued = new Map<string, { until: number; takenAtInsert: T | undefined }>();
  private readonly running = new Set<string>();
  private readonly idleWaiters = new Set<() => void>();
  private stopped = false;
  private ingesting = 0;
  /** When starting turns was first held back for the ingests in progress (undefined: not held). */
  private heldSince: number | undefined;
  private holdTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly concurrency: number,
    private readonly run: (
      conversationId: string,
      untilSequence: number,
      takenAtInsert?: T,
    ) => Promise<unknown>,
    private readonly onError: (error: unknown, conversationId: string) => void,
    private readonly onDepth: (queued: number, running: number) => void = () => {},
    private readonly holdMs = 0,
  ) {}

  /** Runs the storing of a webhook delivery; turns wait for it (up to `holdMs`). */
  async ingest<T>(store: () => Promise<T>): Promise<T> {
    this.ingesting += 1;
    try {
      return await store();
    } finally {
      this.ingesting -= 1;
      if (this.ingesting === 0 && this.heldSince !== undefined) setImmediate(() => this.pump());
    }
  }

  /** Queues the conversation's pending messages up to `untilSequence`; starts it if a slot is free. */
  submit(conversationId: string, untilSequence: number, takenAtInsert?: T) {
    if (this.stopped) return;
    const waiting = this.queued.get(conversationId);
    this.queued.set(
      conversationId,
      waiting
        ? { until: Math.max(waiting.until, untilSequence), takenAtInsert: undefined }
        : { until: untilSequence, takenAtInsert },
    );
    this.pump();
  }

  /** Whether this process has the conversation queued or running (the sweep leaves it alone). */
  has(conversationId: string) {
    return this.queued.has(conversationId) || this.running.has(conversationId);
  }

  get depth() {
    return { queued: this.queued.size, running: this.running.size };
  }

  /** Resolves when nothing is queued or running (tests). */
  idle(): Promise<void> {
    if (this.queued.size === 0 && this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.add(resolve));
  }

  /**
   * Stops admitting work and forgets the queue (those messages stay pending in the database for the
   * sweep); waits for the turns already running.
   */
  async stop() {
    this.stopped = true;
    this.queued.clear();
    clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    this.report();
    await this.idle();
  }

  private pump() {
    if (this.stopped || this.holding()) return;
    while (this.running.size < this.concurrency) {
      const next = this.nextRunnable();
      if (!next) break;
      const [conversationId, { until, takenAtInsert }] = next;
      this.queued.delete(conversationId);
      this.running.add(conversationId);
      this.run(conversationId, until, takenAtInsert)
        .catch((error) => this.onError(error, conversationId))
        .finally(() => {
          this.running.delete(conversationId);
          this.pump();
          this.report();
        });
    }
    this.report();
  }

  /** Whether to hold back turn starts now; arms a timer that ends the hold after `holdMs`. */
  private holding(): boolean {
    const now = performance.now();
    if (this.ingesting > 0 && this.queued.size > 0) this.heldSince ??= now;
    const left = this.heldSince === undefined ? 0 : this.heldSince + this.holdMs - now;
    if (this.ingesting === 0 || left <= 0) {
      this.heldSince = undefined;
      clearTimeout(this.holdTimer);
      this.holdTimer = undefined;
      return false;
    }
    if (!this.holdTimer)
      this.holdTimer = setTimeout(() => {
        this.holdTimer = undefined;
        this.pump();
      }, Math.ceil(left));
    return true;
  }

  /** The oldest queued conversation not running now (skips at most `concurrency` entries). */
  private nextRunnable(): [string, { until: number; takenAtInsert: T | undefined }] | undefined {
    for (const entry of this.queued) if (!this.running.has(entry[0])) return entry;
    return undefined;
  }

  private report() {
    this.onDepth(this.queued.size, this.running.size);
    if (this.queued.size === 0 && this.running.size === 0) {
      for (const resolve of this.idleWaiters) resolve();
      this.idleWaiters.clear();
    }
  }
}
