import type { InvalidationBus } from './cache/invalidation-bus.js';
import type { Config } from './config.js';
import type { Database, Db } from './db/client.js';
import type { ConcurrencyLimit } from './lib/concurrency-limit.js';
import type { Mailer } from './lib/mailer.js';
import type { SecretBox } from './lib/secret-box.js';
import type { LlmClient } from './llm/llm-client.js';
import type { BusinessConfigCache } from './modules/config-cache/business-config-cache.js';
import type { KeyResolver } from './plugins/auth.js';
import type { FailureBudget } from './plugins/auth-failures.js';
import type { Metrics } from './plugins/metrics.js';

/** What services need from the running app; built once in `buildApp` and passed explicitly. */
export interface AppContext {
  readonly config: Config;
  readonly database: Database;
  readonly db: Db;
  readonly bus: InvalidationBus;
  readonly metrics: Metrics;
  readonly resolveKey: KeyResolver;
  /** `null`: no provider configured, the offline engine answers. */
  readonly llm: LlmClient | null;
  /** Per-app cache of each business's stages and stage templates, invalidated through `bus`. */
  readonly configCache: BusinessConfigCache;
  /** Seals channel secrets at rest. */
  readonly secretBox: SecretBox;
  /** Failed sign-ins and key checks per client address and per account (brute force). */
  readonly failures: FailureBudget;
  /** Invitations and password resets (SMTP, or the log). */
  readonly mailer: Mailer;
  /**
   * Dashboard statements (analytics) hold at most half the pool's connections at once: an overview
   * runs eight side by side, and a few admins' dashboards must not leave the message pipeline waiting
   * for a connection.
   */
  readonly dashboardSlots: ConcurrencyLimit;
  /** Set when the process begins to shut down: /health answers 503 so a proxy stops sending. */
  readonly lifecycle: { shuttingDown: boolean };
}
