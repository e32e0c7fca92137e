import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { createInvalidationBus } from '../../src/cache/invalidation-bus.js';
import {
  ADDRESS_RULE,
  clearAnswersCached,
  createFailureBudget,
  type FailureBudget,
} from '../../src/plugins/auth-failures.js';

/** A budget that counts how often it is asked and blocks whatever `blocked` holds. */
function countingBudget() {
  const blocked = new Set<string>();
  const budget = {
    asked: 0,
    recorded: [] as string[],
    async blockedFor(key: string) {
      budget.asked += 1;
      return blocked.has(key) ? 60_000 : 0;
    },
    async record(key: string) {
      budget.recorded.push(key);
      blocked.add(key);
    },
    async close() {},
  } satisfies FailureBudget & { asked: number; recorded: string[] };
  return budget;
}

describe('clear answers of the failure budget, reused until a failure is heard of', () => {
  it('asks the shared budget once for repeated checks of a clear key', async () => {
    const inner = countingBudget();
    const budget = clearAnswersCached(inner, await createInvalidationBus());
    for (let i = 0; i < 5; i++) expect(await budget.blockedFor('address:10.0.0.1')).toBe(0);
    expect(inner.asked).toBe(1);
  });

  it('asks again after a local failure, and reports the block', async () => {
    const inner = countingBudget();
    const budget = clearAnswersCached(inner, await createInvalidationBus());
    expect(await budget.blockedFor('address:10.0.0.2')).toBe(0);
    await budget.record('address:10.0.0.2');
    expect(await budget.blockedFor('address:10.0.0.2')).toBeGreaterThan(0);
    expect(inner.recorded).toEqual(['address:10.0.0.2']);
  });

  it('forgets a clear answer when another process announces a failure on the bus', async () => {
    const inner = countingBudget();
    const bus = await createInvalidationBus();
    const budget = clearAnswersCached(inner, bus);
    expect(await budget.blockedFor('address:10.0.0.3')).toBe(0);
    await inner.record('address:10.0.0.3'); // recorded in the shared store by someone else …
    bus.publish('auth-failure', 'address:10.0.0.3'); // … who announces it
    expect(await budget.blockedFor('address:10.0.0.3')).toBeGreaterThan(0);
  });

  it('does not cache an answer that was asked before a failure was heard of', async () => {
    const bus = await createInvalidationBus();
    let release: (wait: number) => void = () => {};
    const slow: FailureBudget = {
      blockedFor: () => new Promise((resolve) => (release = resolve)),
      record: async () => {},
      close: async () => {},
    };
    let asked = 0;
    const counted: FailureBudget = {
      ...slow,
      blockedFor: (key) => {
        asked += 1;
        return slow.blockedFor(key);
      },
    };
    const budget = clearAnswersCached(counted, bus);
    const first = budget.blockedFor('address:10.0.0.4');
    bus.publish('auth-failure', 'address:10.0.0.4'); // heard while the first check is in flight
    release(0);
    expect(await first).toBe(0);
    const second = budget.blockedFor('address:10.0.0.4');
    release(0);
    await second;
    expect(asked).toBe(2);
  });
});

describe.runIf(process.env.REDIS_URL)('failure budget in Redis across two processes', () => {
  it("blocks an address in process A once process B's failures pass the limit", async () => {
    const redisUrl = process.env.REDIS_URL as string;
    const installation = `test-${randomUUID()}`;
    const [busA, busB] = await Promise.all([
      createInvalidationBus({ redisUrl }),
      createInvalidationBus({ redisUrl }),
    ]);
    const a = await createFailureBudget(redisUrl, installation, busA);
    const b = await createFailureBudget(redisUrl, installation, busB);
    const address = `address:${randomUUID()}`;
    try {
      expect(await a.blockedFor(address)).toBe(0); // A now holds a clear answer
      for (let i = 0; i <= ADDRESS_RULE.limit; i++) await b.record(address);
      await vi.waitFor(async () => expect(await a.blockedFor(address)).toBeGreaterThan(0), {
        timeout: 10_000,
        interval: 20,
      });
    } finally {
      await Promise.all([a.close(), b.close(), busA.close(), busB.close()]);
    }
  });
});
