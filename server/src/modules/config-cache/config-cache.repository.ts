import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { fromJson, rowsOf, toDate } from '../../db/raw-rows.js';
import { agents, businesses, configReleases, stages, templates } from '../../db/schema.js';

// The cache reads the tables itself (not through the businesses, stages and templates modules), so
// those modules can depend on the cache without an import cycle.
export type BusinessRow = typeof businesses.$inferSelect;
export type StageRow = typeof stages.$inferSelect;
export type TemplateRow = typeof templates.$inferSelect;

/** Every template of the business (the draft's template library, used by a stage or not), by id. */
export function loadAllTemplates(db: DbOrTx, businessId: string) {
  return db
    .select()
    .from(templates)
    .where(eq(templates.businessId, businessId))
    .orderBy(asc(templates.templateId));
}

/** Three independent statements, run concurrently: the business, its stages, their templates. */
export function loadConfigRows(db: DbOrTx, businessId: string) {
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

export interface ReleaseRowWithLiveIds {
  number: number;
  content: unknown;
  createdAt: Date;
  stageIds: string[];
  templateIds: string[];
  agentIds: string[];
}

/**
 * The business's latest release (or release `number`) in one statement, with the ids of the stages,
 * templates and agents that still exist (a release may name rows deleted from the draft since).
 */
export async function loadReleaseRow(
  db: Db,
  businessId: string,
  number?: number,
): Promise<ReleaseRowWithLiveIds | undefined> {
  const rows = rowsOf(
    await db.execute(sql`
    SELECT r.number, r.content, r.created_at,
           array(SELECT s.stage_id::text FROM ${stages} s WHERE s.business_id = ${businessId}) AS stage_ids,
           array(SELECT t.template_id::text FROM ${templates} t WHERE t.business_id = ${businessId}) AS template_ids,
           array(SELECT a.agent_id::text FROM ${agents} a WHERE a.business_id = ${businessId}) AS agent_ids
      FROM ${configReleases} r
     WHERE r.business_id = ${businessId} ${number === undefined ? sql`` : sql`AND r.number = ${number}::int`}
     ORDER BY r.number DESC
     LIMIT 1`),
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    number: Number(row.number),
    content: fromJson(row.content as object | string),
    createdAt: toDate(row.created_at),
    stageIds: textArray(row.stage_ids),
    templateIds: textArray(row.template_ids),
    agentIds: textArray(row.agent_ids),
  };
}

/** PGlite returns arrays; node-postgres too (text[] is parsed), but be tolerant of the literal form. */
function textArray(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string')
    return value
      .replace(/^\{|\}$/g, '')
      .split(',')
      .filter(Boolean);
  return [];
}
