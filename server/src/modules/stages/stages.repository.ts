import { and, asc, count, eq, inArray, ne, type SQL, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../../db/client.js';
import { businesses, stages, stageTransitions, templates } from '../../db/schema.js';
import type { Page } from '../../lib/schemas.js';

export type StageRow = typeof stages.$inferSelect;
export type NewStage = typeof stages.$inferInsert;

export interface StageWithTemplateNames {
  stage: StageRow;
  stageSelectionTemplateName: string | null;
  dataExtractionTemplateName: string | null;
  responseGenerationTemplateName: string | null;
}

const scoped = (stageId: string, businessId: string | undefined): SQL | undefined =>
  businessId
    ? and(eq(stages.stageId, stageId), eq(stages.businessId, businessId))
    : eq(stages.stageId, stageId);

export async function insertStage(db: DbOrTx, row: NewStage): Promise<StageRow> {
  const [stage] = await db.insert(stages).values(row).returning();
  if (!stage) throw new Error('stage insert returned nothing');
  return stage;
}

const selection = alias(templates, 'selection_template');
const extraction = alias(templates, 'extraction_template');
const generation = alias(templates, 'generation_template');

/** Stages with the names of their three templates, in one statement. */
function selectWithNames(db: DbOrTx) {
  return db
    .select({
      stage: stages,
      stageSelectionTemplateName: selection.templateName,
      dataExtractionTemplateName: extraction.templateName,
      responseGenerationTemplateName: generation.templateName,
    })
    .from(stages)
    .leftJoin(selection, eq(selection.templateId, stages.stageSelectionTemplateId))
    .leftJoin(extraction, eq(extraction.templateId, stages.dataExtractionTemplateId))
    .leftJoin(generation, eq(generation.templateId, stages.responseGenerationTemplateId));
}

/** `forUpdate` (in a transaction) locks the stage row, so what the caller reads is what it changes. */
export async function findStageWithNames(
  db: DbOrTx,
  stageId: string,
  businessId: string | undefined,
  options: { forUpdate?: boolean } = {},
): Promise<StageWithTemplateNames | undefined> {
  const query = selectWithNames(db).where(scoped(stageId, businessId)).limit(1);
  const [row] = options.forUpdate ? await query.for('update', { of: stages }) : await query;
  return row;
}

export async function findStage(db: DbOrTx, stageId: string, businessId: string | undefined) {
  const [row] = await db.select().from(stages).where(scoped(stageId, businessId)).limit(1);
  return row;
}

export async function listStages(
  db: DbOrTx,
  businessId: string,
  filters: { agentId?: string },
  page: Page,
): Promise<{ rows: StageWithTemplateNames[]; total: number }> {
  const where = and(
    eq(stages.businessId, businessId),
    filters.agentId === undefined ? undefined : eq(stages.agentId, filters.agentId),
  );
  const [rows, [total]] = await Promise.all([
    selectWithNames(db)
      .where(where)
      .orderBy(asc(stages.createdAt), asc(stages.stageId))
      .limit(page.perPage)
      .offset(page.offset),
    db.select({ value: count() }).from(stages).where(where),
  ]);
  return { rows, total: total?.value ?? 0 };
}

/** Another stage of the business with this name, compared case-insensitively. */
export async function findStageByName(db: DbOrTx, businessId: string, name: string, exceptStageId?: string) {
  const [row] = await db
    .select({ stageId: stages.stageId })
    .from(stages)
    .where(
      and(
        eq(stages.businessId, businessId),
        sql`lower(${stages.stageName}) = lower(${name})`,
        exceptStageId ? ne(stages.stageId, exceptStageId) : undefined,
      ),
    )
    .limit(1);
  return row;
}

export async function updateStage(db: DbOrTx, stageId: string, values: Partial<NewStage>) {
  const [row] = await db
    .update(stages)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(stages.stageId, stageId))
    .returning();
  return row;
}

/** The stages with these ids (any business: the caller tells "unknown" from "another business's"). */
export async function findStagesByIds(db: DbOrTx, stageIds: string[]) {
  if (stageIds.length === 0) return [];
  return db
    .select({ stageId: stages.stageId, businessId: stages.businessId })
    .from(stages)
    .where(inArray(stages.stageId, [...new Set(stageIds)]));
}

/**
 * Removes a (deleted) stage from the business's other stages: out of their allowed next stages, and
 * their rules targeting it dropped. Returns those stages as they were before (rows locked).
 */
export async function dropStageFromTransitions(db: DbOrTx, businessId: string, stageId: string) {
  const target = JSON.stringify([{ target_stage_id: stageId }]);
  const before = await db
    .select()
    .from(stages)
    .where(
      sql`${stages.businessId} = ${businessId} AND (${stages.allowedNextStageIds} @> ${JSON.stringify([stageId])}::jsonb OR ${stages.transitionRules} @> ${target}::jsonb)`,
    )
    .orderBy(asc(stages.createdAt), asc(stages.stageId))
    .for('update');
  for (const row of before) {
    await db
      .update(stages)
      .set({
        allowedNextStageIds: row.allowedNextStageIds?.filter((id) => id !== stageId) ?? null,
        transitionRules: row.transitionRules.filter((r) => r.target_stage_id !== stageId),
        updatedAt: new Date(),
      })
      .where(eq(stages.stageId, row.stageId));
  }
  return before;
}

export async function deleteStage(db: DbOrTx, stageId: string): Promise<boolean> {
  const rows = await db.delete(stages).where(eq(stages.stageId, stageId)).returning({ id: stages.stageId });
  return rows.length > 0;
}

/**
 * Locks the business row for the rest of the transaction, so two concurrent stage deletions cannot
 * both see "another stage remains", and returns its entry stage and stage count. NO KEY UPDATE, not
 * UPDATE: every insert that references the business (a message, an LLM call) takes KEY SHARE on
 * this row for its foreign key, which FOR UPDATE blocks — a stage delete nulling 20,000
 * conversations (~1 s at 1M messages) held all of the business's writes that long.
 */
export async function lockBusinessStages(db: DbOrTx, businessId: string) {
  const [business] = await db
    .select({ firstStageId: businesses.firstStageId })
    .from(businesses)
    .where(eq(businesses.businessId, businessId))
    .for('no key update');
  const [stageCount] = await db
    .select({ value: count() })
    .from(stages)
    .where(eq(stages.businessId, businessId));
  return business ? { firstStageId: business.firstStageId, stageCount: stageCount?.value ?? 0 } : undefined;
}

export async function countTransitions(db: DbOrTx, businessId: string) {
  return db
    .select({
      fromStageId: stageTransitions.fromStageId,
      toStageId: stageTransitions.toStageId,
      count: count(),
    })
    .from(stageTransitions)
    .where(eq(stageTransitions.businessId, businessId))
    .groupBy(stageTransitions.fromStageId, stageTransitions.toStageId)
    .orderBy(sql`count(*) desc`);
}

/** How many stages the business has (its MAX_STAGES_PER_BUSINESS quota). */
export async function countStages(db: DbOrTx, businessId: string) {
  const [row] = await db.select({ value: count() }).from(stages).where(eq(stages.businessId, businessId));
  return row?.value ?? 0;
}
