/** Runs a task when fewer than the limit run; waits its turn (first come, first served) otherwise. */
export type ConcurrencyLimit = <T>(task: () => Promise<T>) => Promise<T>;

/**
 * At most `max` tasks at once. A finishing task (resolved or rejected) hands its place straight to
 * the longest-waiting one, so a stream of newcomers cannot overtake those already queued.
 */
export function concurrencyLimit(max: number): ConcurrencyLimit {
  if (!Number.isInteger(max) || max < 1) throw new Error('concurrencyLimit: max must be an integer ≥ 1');
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (running < max) running++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
