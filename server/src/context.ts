import type { InvalidationBus } from './cache/invalidation-bus.js';
import type { Config } from './config.js';
import type { Database, Db } from './db/client.js';
import type { SecretBox } from './lib/secret-box.js';
import type { LlmClient } from './llm/llm-client.js';
import type { BusinessConfigCache } from './modules/config-cache/business-config-cache.js';
import type { KeyResolver } from './plugins/auth.js';
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
}
