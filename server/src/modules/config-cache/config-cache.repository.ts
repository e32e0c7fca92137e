import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { businesses, stages, templates } from '../../db/schema.js';

// The cache reads the tables itself (not through the businesses, stages and templates modules), so
// those modules can depend on the cache without an import cycle.
export type BusinessRow = typeof businesses.$inferSelect;
export type StageRow = typeof stages.$inferSelect;
export type TemplateRow = typeof templates.$inferSelect;

/** Three independent statements, run concurrently: the business, its stages, their templates. */
export function loadConfigRows(db: Db, businessId: string) {
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
      .where(
        and(
          eq(templates.businessId, businessId),
          sql`exists (select 1 from ${stages} s where s.business_id = ${businessId} and ${templates.templateId} in (s.stage_selection_template_id, s.data_extraction_template_id, s.response_generation_template_id))`,
        ),
      ),
  ]);
}
