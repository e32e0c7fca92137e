import { LRUCache } from 'lru-cache';
import { loadConfigRows, } from './config-cache.repository.js';
/** The business, its stages and their templates, as the pipeline reads them on every turn. */
export async function loadBusinessConfig(db, businessId) {
    const [businessRows, stageRows, templateRows] = await loadConfigRows(db, businessId);
    const business = businessRows[0];
    if (!business)
        return undefined;
    const stagesById = new Map(stageRows.map((stage) => [stage.stageId, stage]));
    const entryStageId = business.firstStageId && stagesById.has(business.firstStageId)
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
export function createBusinessConfigCache(options) {
    const entries = new LRUCache({
        max: options.max ?? 1000,
        ttl: options.ttlMs ?? 5 * 60_000,
    });
    // One load per business at a time. A load overtaken by an invalidation is not stored, so a read
    // that raced a write can never put the old configuration back into the cache.
    const inflight = new Map();
    const invalidate = (businessId) => {
        entries.delete(businessId);
        inflight.delete(businessId);
    };
    for (const topic of ['business', 'stages', 'templates'])
        options.bus.subscribe(topic, invalidate);
    // Invalidations of other processes may have been missed: start over.
    options.bus.onGap(() => {
        entries.clear();
        inflight.clear();
    });
    return {
        get(businessId) {
            const hit = entries.get(businessId);
            if (hit)
                return Promise.resolve(hit);
            const pending = inflight.get(businessId);
            if (pending)
                return pending;
            const load = loadBusinessConfig(options.db, businessId).then((config) => {
                if (inflight.get(businessId) === load) {
                    inflight.delete(businessId);
                    if (config)
                        entries.set(businessId, config);
                }
                return config;
            }, (error) => {
                if (inflight.get(businessId) === load)
                    inflight.delete(businessId);
                throw error;
            });
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
export function getBusinessConfig(ctx, businessId) {
    return ctx.configCache.get(businessId);
}
//# sourceMappingURL=business-config-cache.js.map