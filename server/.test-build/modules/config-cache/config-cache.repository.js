import { and, asc, eq, sql } from 'drizzle-orm';
import { businesses, stages, templates } from '../../db/schema.js';
/** Three independent statements, run concurrently: the business, its stages, their templates. */
export function loadConfigRows(db, businessId) {
    return Promise.all([
        db.select().from(businesses).where(eq(businesses.businessId, businessId)).limit(1),
        db
            .select()
            .from(stages)
            .where(eq(stages.businessId, businessId))
            .orderBy(asc(stages.createdAt), asc(stages.stageId)),
        db
            .select()
            .from(templates)
            .where(and(eq(templates.businessId, businessId), sql `exists (select 1 from ${stages} s where s.business_id = ${businessId} and ${templates.templateId} in (s.stage_selection_template_id, s.data_extraction_template_id, s.response_generation_template_id))`)),
    ]);
}
//# sourceMappingURL=config-cache.repository.js.map