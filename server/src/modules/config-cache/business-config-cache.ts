import { LRUCache } from 'lru-cache';
import type { InvalidationBus } from '../../cache/invalidation-bus.js';
import type { Db } from '../../db/client.js';
import {
  type BusinessRow,
  loadConfigRows,
  type StageRow,
  type TemplateRow,
} from './config-cache.repository.js';

/**
 * Everything the message pipeline reads about a business on every turn. Shared between requests:
 * treat it as read-only.
 */
export interface BusinessConfig {
  business: BusinessRow;
  /** Ordered by created_at (then id). */
  stages: StageRow[];
  stagesById: Map<string, StageRow>;
  /** Every template a stage of the business uses. */
  templatesById: Map<string, TemplateRow>;
  /** businesses.first_stage_id when it is one of the stages, else the oldest stage, else null. */
  entryStageId: string | null;
}

export interface BusinessConfigCache {
  get(businessId: string): Promise<BusinessConfig | undefined>;
  invalidate(businessId: string): void;
  clear(): void;
}

export interface BusinessConfigCacheOptions {
  db: Db;
  bus: InvalidationBus;
  max?: number;
  /** Safety net should a cross-process invalidation be lost; every write also invalidates at once. */
  ttlMs?: number;
}

/** The business, its stages and their templates, as the pipeline reads them on every turn. */
export async function loadBusinessConfig(db: Db, businessId: string): Promise<BusinessConfig | undefined> {
  const [businessRows, stageRows, templateRows] = await loadConfigRows(db, businessId);
  const business = businessRows[0];
  if (!business) return undefined;
  const stagesById = new Map(stageRows.map((stage) => [stage.stageId, stage]));
  const entryStageId =
    business.firstStageId && stagesById.has(business.firstStageId)
      ? business.firstStageId
      : (stageRows[0]?.stageId ?? null);
  return {
    business,
    stages: stageRows,
    stagesById,
    templatesById: new Map(templateRows.map((template) => [template.templateId, template])),
    entryStageId,
  };
}

export function createBusinessConfigCache(options: BusinessConfigCacheOptions): BusinessConfigCache {
  const entries = new LRUCache<string, BusinessConfig>({
    max: options.max ?? 1000,
    ttl: options.ttlMs ?? 5 * 60_000,
  });
  // One load per business at a time. A load overtaken by an invalidation is not stored, so a read
  // that raced a write can never put the old configuration back into the cache.
  const inflight = new Map<string, Promise<BusinessConfig | undefined>>();

  const invalidate = (businessId: string) => {
    entries.delete(businessId);
    inflight.delete(businessId);
  };
  for (const topic of ['business', 'stages', 'templates'] as const) options.bus.subscribe(topic, invalidate);
  // Invalidations of other processes may have been missed: start over.
  options.bus.onGap(() => {
    entries.clear();
    inflight.clear();
  });

  return {
    get(businessId) {
      const hit = entries.get(businessId);
      if (hit) return Promise.resolve(hit);
      const pending = inflight.get(businessId);
      if (pending) return pending;
      const load: Promise<BusinessConfig | undefined> = loadBusinessConfig(options.db, businessId).then(
        (config) => {
          if (inflight.get(businessId) === load) {
            inflight.delete(businessId);
            if (config) entries.set(businessId, config);
          }
          return config;
        },
        (error: unknown) => {
          if (inflight.get(businessId) === load) inflight.delete(businessId);
          throw error;
        },
      );
      inflight.set(businessId, load);
      return load;
    },
    invalidate,
    clear() {
      entries.clear();
      inflight.clear();
    },
  };
}

/** The business's configuration from this app's cache (undefined when the business does not exist). */
export function getBusinessConfig(
  ctx: { readonly configCache: BusinessConfigCache },
  businessId: string,
): Promise<BusinessConfig | undefined> {
  return ctx.configCache.get(businessId);
}
