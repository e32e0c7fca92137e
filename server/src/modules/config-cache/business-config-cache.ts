import { LRUCache } from 'lru-cache';
import type { InvalidationBus } from '../../cache/invalidation-bus.js';
import type { Db } from '../../db/client.js';
import {
  type BusinessRow,
  loadConfigRows,
  loadReleaseRow,
  type StageRow,
  type TemplateRow,
} from './config-cache.repository.js';
import { type ReleaseContent, releaseRows } from './release-content.js';

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
  /** The release this configuration is (null: the working draft). */
  releaseNumber: number | null;
}

/** Which configuration to run: the working draft, the live one (latest release, else the draft), or release N. */
export type ConfigTarget = 'draft' | 'published' | { release: number };

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

function assemble(
  business: BusinessRow,
  stageRows: StageRow[],
  templateRows: TemplateRow[],
  releaseNumber: number | null,
): BusinessConfig {
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
    releaseNumber,
  };
}

/** The working draft: the business, its stages and their templates as edited through the API. */
export async function loadBusinessConfig(db: Db, businessId: string): Promise<BusinessConfig | undefined> {
  const [businessRows, stageRows, templateRows] = await loadConfigRows(db, businessId);
  const business = businessRows[0];
  if (!business) return undefined;
  return assemble(business, stageRows, templateRows, null);
}

/**
 * What live traffic runs on: the latest release, or the draft while the business has none. The
 * release and the draft are read concurrently (four statements), so a business that never published
 * costs what it did before releases existed.
 */
export async function loadPublishedConfig(db: Db, businessId: string): Promise<BusinessConfig | undefined> {
  const [[businessRows, stageRows, templateRows], release] = await Promise.all([
    loadConfigRows(db, businessId),
    loadReleaseRow(db, businessId),
  ]);
  const business = businessRows[0];
  if (!business) return undefined;
  if (!release) return assemble(business, stageRows, templateRows, null);
  return fromRelease(business, release);
}

function fromRelease(
  business: BusinessRow,
  release: NonNullable<Awaited<ReturnType<typeof loadReleaseRow>>>,
) {
  const rows = releaseRows(business, release.content as ReleaseContent, release.createdAt, {
    stageIds: new Set(release.stageIds),
    templateIds: new Set(release.templateIds),
    agentIds: new Set(release.agentIds),
  });
  return assemble(rows.business, rows.stages, rows.templates, release.number);
}

/**
 * The configuration a target names, read from the database (no cache): golden tests and the
 * simulator run the draft or a release through the same pipeline code as live traffic. undefined:
 * no such business, or no such release.
 */
export async function loadConfigForTarget(
  db: Db,
  businessId: string,
  target: ConfigTarget,
): Promise<BusinessConfig | undefined> {
  if (target === 'draft') return loadBusinessConfig(db, businessId);
  if (target === 'published') return loadPublishedConfig(db, businessId);
  const [[business], release] = await Promise.all([
    loadConfigRows(db, businessId).then(([rows]) => rows),
    loadReleaseRow(db, businessId, target.release),
  ]);
  if (!business || !release) return undefined;
  return fromRelease(business, release);
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
  for (const topic of ['business', 'stages', 'templates', 'releases'] as const)
    options.bus.subscribe(topic, invalidate);
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
      const load: Promise<BusinessConfig | undefined> = loadPublishedConfig(options.db, businessId).then(
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
