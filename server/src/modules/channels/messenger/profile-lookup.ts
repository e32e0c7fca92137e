import type { AppContext } from '../../../context.js';
import { getMetaConnection } from '../channels.service.js';
import { getMessengerProfile } from '../meta/graph-client.js';
import { nameCustomer } from '../meta/meta-inbound.repository.js';

/** Lookups running at once in one process (each is one Graph call and one UPDATE). */
const CONCURRENCY = 4;
/** Customers waiting beyond this are not looked up (they stay nameless, as after a failure). */
const MAX_QUEUED = 10_000;
const MAX_BACKOFF_MS = 30_000;

export interface ProfileRequest {
  businessId: string;
  userId: string;
  psid: string;
}

export type ProfileLog = (details: Record<string, unknown>, message: string) => void;

// The lookups of a running app, so the webhook's storage step can hand a new PSID over without the
// webhook route knowing about them (nothing registered: background work not started, no lookup).
const running = new WeakMap<AppContext, ProfileLookups>();

/**
 * Hands a customer first seen on Messenger to the background lookup of their name. Returns at once:
 * the lookup never delays storing the message or acknowledging the webhook.
 */
export function requestProfileLookup(ctx: AppContext, request: ProfileRequest) {
  running.get(ctx)?.request(request);
}

/**
 * Names Messenger customers: Messenger webhooks carry only a PSID, so for each new one the User
 * Profile API (`GET /{psid}?fields=first_name,last_name`, page access token) is asked, with the Graph
 * timeout and, on network errors, timeouts, 429 and 5xx, the Graph retry policy (a GET is safe to
 * repeat). The name is stored only while the user still has none (an agent may have named them).
 * Any failure (no permission, unknown PSID, Meta down after the retries) leaves the customer nameless
 * and is logged with Meta's error text and our ids — never the token.
 */
export function createProfileLookups(ctx: AppContext, log: ProfileLog) {
  const { graphApiBaseUrl, graphTimeoutMs, graphMaxAttempts, graphRetryBaseMs } = ctx.config.meta;
  const queue: ProfileRequest[] = [];
  const pending = new Set<string>();
  const active = new Set<Promise<void>>();
  const sleeps = new Set<() => void>();
  let stopped = true;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        sleeps.delete(done);
        resolve();
      }
      sleeps.add(done);
    });

  async function lookup(request: ProfileRequest) {
    const connection = await getMetaConnection(ctx, request.businessId, 'messenger');
    if (!connection?.accessToken) return;
    for (let attempt = 1; !stopped; attempt += 1) {
      const result = await getMessengerProfile({
        baseUrl: graphApiBaseUrl,
        accessToken: connection.accessToken,
        psid: request.psid,
        timeoutMs: graphTimeoutMs,
      });
      if (result.ok) {
        if (result.firstName || result.lastName)
          await nameCustomer(ctx.db, request.businessId, request.userId, result, 'nameless');
        return;
      }
      if (!result.retryable || attempt >= graphMaxAttempts) {
        log(
          {
            businessId: request.businessId,
            userId: request.userId,
            graphStatus: result.status,
            error: result.error,
            attempts: attempt,
          },
          'Messenger profile lookup failed; the customer stays nameless',
        );
        return;
      }
      const exponential = Math.min(MAX_BACKOFF_MS, graphRetryBaseMs * 2 ** (attempt - 1));
      await sleep(Math.max(result.retryAfterMs ?? 0, exponential / 2 + Math.random() * (exponential / 2)));
    }
  }

  function pump() {
    while (!stopped && active.size < CONCURRENCY && queue.length > 0) {
      const request = queue.shift() as ProfileRequest;
      const task = lookup(request)
        .catch((error) =>
          log(
            { businessId: request.businessId, userId: request.userId, error: (error as Error).message },
            'Messenger profile lookup failed; the customer stays nameless',
          ),
        )
        .finally(() => {
          active.delete(task);
          pending.delete(request.userId);
          pump();
        });
      active.add(task);
    }
  }

  const lookups = {
    request(request: ProfileRequest) {
      if (stopped || pending.has(request.userId) || queue.length >= MAX_QUEUED) return;
      pending.add(request.userId);
      queue.push(request);
      setImmediate(pump);
    },
    start() {
      stopped = false;
      running.set(ctx, lookups);
    },
    /** Drops what is queued, ends waits between retries, and waits for the calls in progress. */
    async stop() {
      stopped = true;
      if (running.get(ctx) === lookups) running.delete(ctx);
      queue.length = 0;
      for (const wake of [...sleeps]) wake();
      await Promise.allSettled([...active]);
    },
  };
  return lookups;
}

export type ProfileLookups = ReturnType<typeof createProfileLookups>;
