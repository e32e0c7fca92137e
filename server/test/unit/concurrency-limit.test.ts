import { describe, expect, it } from 'vitest';
import { concurrencyLimit } from '../../src/lib/concurrency-limit.js';

/** A task that runs until the test settles it, recording when it starts. */
function gate(started: string[], name: string) {
  let settle: { resolve: (v: string) => void; reject: (e: Error) => void } | undefined;
  const task = () =>
    new Promise<string>((resolve, reject) => {
      started.push(name);
      settle = { resolve, reject };
    });
  return {
    task,
    resolve: () => settle?.resolve(name),
    reject: () => settle?.reject(new Error(`${name} failed`)),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('concurrencyLimit', () => {
  it('runs at most max tasks at once, the waiting ones in call order', async () => {
    const limit = concurrencyLimit(2);
    const started: string[] = [];
    const gates = ['a', 'b', 'c', 'd', 'e'].map((name) => gate(started, name));
    const results = gates.map((g) => limit(g.task));
    await tick();
    expect(started).toEqual(['a', 'b']);
    gates[1]?.resolve();
    await tick();
    expect(started).toEqual(['a', 'b', 'c']);
    // A newcomer queues behind d and e, though a place frees up right after it arrives.
    const late = gate(started, 'late');
    const lateResult = limit(late.task);
    gates[0]?.resolve();
    await tick();
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    gates[2]?.resolve();
    gates[3]?.resolve();
    await tick();
    expect(started).toEqual(['a', 'b', 'c', 'd', 'e', 'late']);
    gates[4]?.resolve();
    late.resolve();
    expect(await Promise.all([...results, lateResult])).toEqual(['a', 'b', 'c', 'd', 'e', 'late']);
  });

  it('frees the place of a task that fails, and passes its error on', async () => {
    const limit = concurrencyLimit(1);
    const started: string[] = [];
    const failing = gate(started, 'failing');
    const next = gate(started, 'next');
    const failed = limit(failing.task);
    const after = limit(next.task);
    await tick();
    expect(started).toEqual(['failing']);
    failing.reject();
    await expect(failed).rejects.toThrow('failing failed');
    await tick();
    expect(started).toEqual(['failing', 'next']);
    next.resolve();
    expect(await after).toBe('next');
    // With nothing queued, the place is free again: a new task starts at once.
    const again = gate(started, 'again');
    const result = limit(again.task);
    await tick();
    expect(started.at(-1)).toBe('again');
    again.resolve();
    expect(await result).toBe('again');
  });

  it('refuses a limit below one', () => {
    expect(() => concurrencyLimit(0)).toThrow(/max/);
  });
});
