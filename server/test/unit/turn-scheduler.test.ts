import { describe, expect, it, vi } from 'vitest';
import { TurnScheduler } from '../../src/modules/pipeline/turn-scheduler.js';

/** A scheduler whose turns finish when the test says so. */
function harness(concurrency: number, holdMs = 0) {
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  const errors: string[] = [];
  const scheduler = new TurnScheduler<string>(
    concurrency,
    (conversationId, untilSequence, takenAtInsert) => {
      started.push(`${conversationId}@${untilSequence}${takenAtInsert ? `+${takenAtInsert}` : ''}`);
      return new Promise<void>((resolve, reject) =>
        finish.set(conversationId, () =>
          conversationId.startsWith('bad') ? reject(new Error('x')) : resolve(),
        ),
      );
    },
    (_error, conversationId) => errors.push(conversationId),
    () => {},
    holdMs,
  );
  const done = async (conversationId: string) => {
    finish.get(conversationId)?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { scheduler, started, done, errors };
}

describe('TurnScheduler', () => {
  it('starts at most `concurrency` turns, then the oldest waiting conversation as slots free', async () => {
    const { scheduler, started, done } = harness(2);
    for (const id of ['a', 'b', 'c', 'd']) scheduler.submit(id, 1);
    expect(started).toEqual(['a@1', 'b@1']);
    expect(scheduler.depth).toEqual({ queued: 2, running: 2 });
    await done('b');
    expect(started).toEqual(['a@1', 'b@1', 'c@1']);
    await done('a');
    expect(started).toEqual(['a@1', 'b@1', 'c@1', 'd@1']);
  });

  it('keeps one entry per waiting conversation, at its highest sequence and first place', async () => {
    const { scheduler, started, done } = harness(1);
    scheduler.submit('a', 1);
    scheduler.submit('b', 3);
    scheduler.submit('c', 1);
    scheduler.submit('b', 7);
    scheduler.submit('b', 5);
    expect(scheduler.depth).toEqual({ queued: 2, running: 1 });
    await done('a');
    await done('b');
    expect(started).toEqual(['a@1', 'b@7', 'c@1']);
  });

  it("hands a run the lease its message's insert took, unless a later message joined the entry", async () => {
    const { scheduler, started, done } = harness(1);
    scheduler.submit('a', 1, 'lease-a');
    scheduler.submit('b', 3, 'lease-b');
    scheduler.submit('c', 1, 'lease-c');
    // b's second message: that lease read one pending message, so the run takes the lease again.
    scheduler.submit('b', 5);
    await done('a');
    await done('b');
    expect(started).toEqual(['a@1+lease-a', 'b@5', 'c@1+lease-c']);
  });

  it('does not start a conversation twice at once: its new entry waits without holding a slot', async () => {
    const { scheduler, started, done } = harness(2);
    scheduler.submit('a', 1);
    scheduler.submit('a', 3); // a is running: queued behind it
    scheduler.submit('b', 1); // the free slot goes to b, not to the second a
    expect(started).toEqual(['a@1', 'b@1']);
    await done('b');
    expect(started).toEqual(['a@1', 'b@1']);
    expect(scheduler.has('a')).toBe(true);
    await done('a');
    expect(started).toEqual(['a@1', 'b@1', 'a@3']);
  });

  it('reports a failed turn and goes on; stop drops the queue and waits for running turns', async () => {
    const { scheduler, started, done, errors } = harness(1);
    scheduler.submit('bad', 1);
    scheduler.submit('a', 1);
    scheduler.submit('b', 1);
    await done('bad');
    expect(errors).toEqual(['bad']);
    expect(started).toEqual(['bad@1', 'a@1']);
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    scheduler.submit('c', 1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    await done('a');
    await stopping;
    expect(started).toEqual(['bad@1', 'a@1']);
    expect(scheduler.depth).toEqual({ queued: 0, running: 0 });
  });

  it('holds turn starts while a delivery is being stored, and starts them once it is', async () => {
    const { scheduler, started } = harness(4, 1000);
    let stored!: () => void;
    const ingest = scheduler.ingest(() => new Promise<void>((resolve) => (stored = resolve)));
    scheduler.submit('a', 1);
    scheduler.submit('b', 1);
    expect(started).toEqual([]);
    expect(scheduler.depth).toEqual({ queued: 2, running: 0 });
    stored();
    await ingest;
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual(['a@1', 'b@1']);
  });

  it('starts held turns after the hold even while deliveries keep arriving, and not before', async () => {
    vi.useFakeTimers();
    try {
      const { scheduler, started } = harness(4, 20);
      void scheduler.ingest(() => new Promise<void>(() => {})); // a store that never ends
      scheduler.submit('a', 1);
      await vi.advanceTimersByTimeAsync(19);
      expect(started).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(started).toEqual(['a@1']);
      // A new hold begins for work queued after that.
      scheduler.submit('b', 1);
      expect(started).toEqual(['a@1']);
      await vi.advanceTimersByTimeAsync(20);
      expect(started).toEqual(['a@1', 'b@1']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('does not hold when nothing is being stored, and a failed store releases the hold', async () => {
    const { scheduler, started } = harness(4, 1000);
    scheduler.submit('a', 1);
    expect(started).toEqual(['a@1']);
    const failing = scheduler.ingest(async () => {
      scheduler.submit('b', 1);
      throw new Error('store failed');
    });
    await expect(failing).rejects.toThrow('store failed');
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual(['a@1', 'b@1']);
  });
});
