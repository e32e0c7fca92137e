import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { InvalidationBus } from '../cache/invalidation-bus.js';
import { AppError } from '../errors.js';

/**
 * Failed authentications counted per client address and per account (api.md, "Brute force"): more than
 * `limit` failures within the window blocks that address or account until the window passes. Fixed
 * windows from the first failure; in Redis when REDIS_URL is set (every process shares the count),
 * else in this process's memory.
 */
export interface FailureBudget {
  /** Milliseconds until `key` may try again; 0 when it is not blocked. */
  blockedFor(key: string): Promise<number>;
  record(key: string): Promise<void>;
  close(): Promise<void>;
}

export interface FailureRule {
  limit: number;
  windowMs: number;
}

/** api.md: >30 failures per address in 10 minutes; >10 wrong passwords per account in 15 minutes. */
export const ADDRESS_RULE: FailureRule = { limit: 30, windowMs: 10 * 60_000 };
export const ACCOUNT_RULE: FailureRule = { limit: 10, windowMs: 15 * 60_000 };

const ruleFor = (key: string) => (key.startsWith('account:') ? ACCOUNT_RULE : ADDRESS_RULE);

function memoryBudget(): FailureBudget {
  const windows = new Map<string, { count: number; resetAt: number }>();
  const live = (key: string) => {
    const entry = windows.get(key);
    if (entry && entry.resetAt <= Date.now()) {
      windows.delete(key);
      return undefined;
    }
    return entry;
  };
  return {
    async blockedFor(key) {
      const entry = live(key);
      return entry && entry.count > ruleFor(key).limit ? entry.resetAt - Date.now() : 0;
    },
    async record(key) {
      if (windows.size > 100_000) {
        for (const [k, v] of windows) if (v.resetAt <= Date.now()) windows.delete(k);
      }
      const entry = live(key);
      if (entry) entry.count += 1;
      else windows.set(key, { count: 1, resetAt: Date.now() + ruleFor(key).windowMs });
    },
    async close() {},
  };
}

function redisBudget(redis: Redis, namespace: string, fallback: FailureBudget): FailureBudget {
  const name = (key: string) => `${namespace}${key}`;
  return {
    async blockedFor(key) {
      try {
        const [[, count], [, ttl]] = (await redis.multi().get(name(key)).pttl(name(key)).exec()) as [
          [unknown, string | null],
          [unknown, number],
        ];
        return Number(count ?? 0) > ruleFor(key).limit ? Math.max(ttl, 1000) : 0;
      } catch {
        return fallback.blockedFor(key);
      }
    },
    async record(key) {
      try {
        await redis.multi().incr(name(key)).pexpire(name(key), ruleFor(key).windowMs, 'NX').exec();
      } catch {
        await fallback.record(key);
      }
    },
    async close() {
      await redis.quit().catch(() => {});
    },
  };
}

/** How long a "not blocked" answer from Redis is reused; a failure anywhere drops it at once (bus). */
const CLEAR_TTL_MS = 10_000;
const MAX_CLEAR_ENTRIES = 10_000;

/**
 * Every authenticated request asks whether its address is blocked; with Redis that was a round trip
 * per request (issue 14: ~3% of the server's CPU per message and a wait on the hot path). A "not
 * blocked" answer is reused for CLEAR_TTL_MS, like the API-key cache: a failure recorded by any
 * process is announced on the invalidation bus and every process forgets that key's answer at once,
 * and a gap in the bus (reconnect) forgets them all. Only answers of 0 are reused: a blocked key is
 * always asked again.
 */
export function clearAnswersCached(inner: FailureBudget, bus: InvalidationBus): FailureBudget {
  const clearUntil = new Map<string, number>();
  // Bumped by every failure heard of: an answer asked before a failure must not be cached after it.
  let failuresHeard = 0;
  const forget = (key: string) => {
    failuresHeard += 1;
    clearUntil.delete(key);
  };
  bus.subscribe('auth-failure', forget);
  bus.onGap(() => {
    failuresHeard += 1;
    clearUntil.clear();
  });
  return {
    async blockedFor(key) {
      const until = clearUntil.get(key);
      if (until !== undefined && until > Date.now()) return 0;
      const heard = failuresHeard;
      const asked = Date.now();
      const wait = await inner.blockedFor(key);
      if (wait === 0 && heard === failuresHeard) {
        if (clearUntil.size >= MAX_CLEAR_ENTRIES) clearUntil.clear();
        clearUntil.set(key, asked + CLEAR_TTL_MS);
      }
      return wait;
    },
    async record(key) {
      forget(key);
      await inner.record(key);
      // Locally too (publish delivers to this process's listeners): a check that started meanwhile.
      bus.publish('auth-failure', key);
    },
    close: () => inner.close(),
  };
}

/**
 * `installation` separates installations sharing one Redis (the master key's hash: the processes of
 * one installation share it). With a `bus`, "not blocked" answers from Redis are reused briefly
 * (clearAnswersCached).
 */
export async function createFailureBudget(
  redisUrl: string | undefined,
  installation: string,
  bus?: InvalidationBus,
) {
  const memory = memoryBudget();
  if (!redisUrl) return memory;
  const redis = new Redis(redisUrl, { connectTimeout: 1000, maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => {});
  await redis.connect().catch(() => {});
  const namespace = `icmp-af:${createHash('sha256').update(`af:${installation}`).digest('hex').slice(0, 12)}:`;
  const budget = redisBudget(redis, namespace, memory);
  return bus ? clearAnswersCached(budget, bus) : budget;
}

export const addressKey = (ip: string) => `address:${ip}`;
export const accountKey = (email: string) => `account:${email.trim().toLowerCase()}`;

export function tooManyFailures(retryAfterMs: number) {
  return new AppError('RATE_LIMITED', 'Too many failed sign-in attempts; try again later', {
    retry_after_seconds: Math.ceil(retryAfterMs / 1000),
  });
}

/** Throws 429 when any of the keys is blocked. */
export async function assertNotBlocked(budget: FailureBudget, ...keys: string[]) {
  for (const key of keys) {
    const wait = await budget.blockedFor(key);
    if (wait > 0) throw tooManyFailures(wait);
  }
}
