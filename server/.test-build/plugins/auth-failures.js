import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { AppError } from '../errors.js';
/** api.md: >30 failures per address in 10 minutes; >10 wrong passwords per account in 15 minutes. */
export const ADDRESS_RULE = { limit: 30, windowMs: 10 * 60_000 };
export const ACCOUNT_RULE = { limit: 10, windowMs: 15 * 60_000 };
const ruleFor = (key) => (key.startsWith('account:') ? ACCOUNT_RULE : ADDRESS_RULE);
function memoryBudget() {
    const windows = new Map();
    const live = (key) => {
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
                for (const [k, v] of windows)
                    if (v.resetAt <= Date.now())
                        windows.delete(k);
            }
            const entry = live(key);
            if (entry)
                entry.count += 1;
            else
                windows.set(key, { count: 1, resetAt: Date.now() + ruleFor(key).windowMs });
        },
        async close() { },
    };
}
function redisBudget(redis, namespace, fallback) {
    const name = (key) => `${namespace}${key}`;
    return {
        async blockedFor(key) {
            try {
                const [[, count], [, ttl]] = (await redis.multi().get(name(key)).pttl(name(key)).exec());
                return Number(count ?? 0) > ruleFor(key).limit ? Math.max(ttl, 1000) : 0;
            }
            catch {
                return fallback.blockedFor(key);
            }
        },
        async record(key) {
            try {
                await redis.multi().incr(name(key)).pexpire(name(key), ruleFor(key).windowMs, 'NX').exec();
            }
            catch {
                await fallback.record(key);
            }
        },
        async close() {
            await redis.quit().catch(() => { });
        },
    };
}
/**
 * `installation` separates installations sharing one Redis (the master key's hash: the processes of
 * one installation share it).
 */
export async function createFailureBudget(redisUrl, installation) {
    const memory = memoryBudget();
    if (!redisUrl)
        return memory;
    const redis = new Redis(redisUrl, { connectTimeout: 1000, maxRetriesPerRequest: 1, lazyConnect: true });
    redis.on('error', () => { });
    await redis.connect().catch(() => { });
    const namespace = `icmp-af:${createHash('sha256').update(`af:${installation}`).digest('hex').slice(0, 12)}:`;
    return redisBudget(redis, namespace, memory);
}
export const addressKey = (ip) => `address:${ip}`;
export const accountKey = (email) => `account:${email.trim().toLowerCase()}`;
export function tooManyFailures(retryAfterMs) {
    return new AppError('RATE_LIMITED', 'Too many failed sign-in attempts; try again later', {
        retry_after_seconds: Math.ceil(retryAfterMs / 1000),
    });
}
/** Throws 429 when any of the keys is blocked. */
export async function assertNotBlocked(budget, ...keys) {
    for (const key of keys) {
        const wait = await budget.blockedFor(key);
        if (wait > 0)
            throw tooManyFailures(wait);
    }
}
//# sourceMappingURL=auth-failures.js.map