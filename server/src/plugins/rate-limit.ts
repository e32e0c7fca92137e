import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { credentialHash, presentedKey } from './auth.js';

/** A budget per credential (per client address when none is sent); Redis-backed when configured. */
export async function registerRateLimit(
  app: FastifyInstance,
  options: { perMinute: number; redisUrl?: string },
) {
  const redis = options.redisUrl
    ? new Redis(options.redisUrl, {
        connectTimeout: 1000,
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
        // Concurrent requests' budget checks in one tick share one socket write.
        enableAutoPipelining: true,
      })
    : undefined;
  if (redis) {
    app.addHook('onClose', async () => void (await redis.quit().catch(() => {})));
    // Without the offline queue, commands sent before the connection is ready fail, and
    // `skipOnError` would let every early request through unlimited: wait for ready (or an error).
    await new Promise<void>((resolve) => {
      if (redis.status === 'ready') return resolve();
      const settle = () => {
        redis.off('ready', settle);
        redis.off('error', settle);
        resolve();
      };
      redis.on('ready', settle);
      redis.on('error', settle);
    });
  }
  await app.register(rateLimit, {
    global: true,
    max: options.perMinute,
    timeWindow: 60_000,
    redis,
    nameSpace: 'icmp-rl:',
    skipOnError: true,
    keyGenerator: (request) => {
      const key = presentedKey(request);
      return key ? `key:${credentialHash(request, key).slice(0, 32)}` : `ip:${request.ip}`;
    },
    errorResponseBuilder: (_request, context) => {
      const error = Object.assign(new Error(`Rate limit exceeded, retry in ${context.after}`), {
        statusCode: 429,
      });
      return error;
    },
  });
}
