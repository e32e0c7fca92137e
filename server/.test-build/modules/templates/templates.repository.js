import { and, asc, count, desc, eq, inArray, or, sql } from 'drizzle-orm';
import { stages, templates, templateVersions } from '../../db/schema.js';
import { TEMPLATE_ROLES } from './default-templates.js';
const DEFAULT_TYPES = TEMPLATE_ROLES.map((role) => `default_${role}`);
const scoped = (templateId, businessId) => businessId
    ? and(eq(templates.templateId, templateId), eq(templates.businessId, businessId))
    : eq(templates.templateId, templateId);
/** Inserts templates and their first version in two statements. */
export async function insertTemplates(db, rows) {
    if (rows.length === 0)
        return [];
    const inserted = await db.insert(templates).values(rows).returning();
    await db.insert(templateVersions).values(inserted.map((t) => ({
        templateId: t.templateId,
        version: t.version,
        templateName: t.templateName,
        content: t.content,
        systemPrompt: t.systemPrompt,
    })));
    return inserted;
}
/** `forUpdate` (in a transaction) locks the row, so what the caller reads is what it changes. */
export async function findTemplate(db, templateId, businessId, options = {}) {
    const query = db.select().from(templates).where(scoped(templateId, businessId)).limit(1);
    const [row] = options.forUpdate ? await query.for('update') : await query;
    return row;
}
/** Templates by id in any business: callers tell "not yours" from "does not exist" themselves. */
export async function findTemplatesByIds(db, ids) {
    if (ids.length === 0)
        return [];
    return db.select().from(templates).where(inArray(templates.templateId, ids));
}
export async function listTemplates(db, businessId, filters, page) {
    const where = and(eq(templates.businessId, businessId), filters.templateType === undefined ? undefined : eq(templates.templateType, filters.templateType), filters.isDefault === undefined ? undefined : eq(templates.isDefault, filters.isDefault));
    const [rows, [total]] = await Promise.all([
        db
            .select()
            .from(templates)
            .where(where)
            .orderBy(asc(templates.createdAt), asc(templates.templateId))
            .limit(page.perPage)
            .offset(page.offset),
        db.select({ value: count() }).from(templates).where(where),
    ]);
    return { rows, total: total?.value ?? 0 };
}
/** The business's starting-point templates (`default_<role>`), preferring is_default, newest first. */
export async function findDefaultTemplates(db, businessId) {
    return db
        .select()
        .from(templates)
        .where(and(eq(templates.businessId, businessId), inArray(templates.templateType, DEFAULT_TYPES)))
        .orderBy(desc(templates.isDefault), desc(templates.updatedAt));
}
/** Applies a change as a new version: bumps templates.version and stores the snapshot. Use in a transaction. */
export async function updateTemplateAsNewVersion(db, templateId, changes) {
    const [row] = await db
        .update(templates)
        .set({ ...changes, version: sql `${templates.version} + 1`, updatedAt: new Date() })
        .where(eq(templates.templateId, templateId))
        .returning();
    if (!row)
        return undefined;
    await db.insert(templateVersions).values({
        templateId: row.templateId,
        version: row.version,
        templateName: row.templateName,
        content: row.content,
        systemPrompt: row.systemPrompt,
    });
    return row;
}
export async function deleteTemplate(db, templateId) {
    const rows = await db
        .delete(templates)
        .where(eq(templates.templateId, templateId))
        .returning({ id: templates.templateId });
    return rows.length > 0;
}
export async function listTemplateVersions(db, templateId, page) {
    const where = eq(templateVersions.templateId, templateId);
    const [rows, [total]] = await Promise.all([
        db
            .select()
            .from(templateVersions)
            .where(where)
            .orderBy(desc(templateVersions.version))
            .limit(page.perPage)
            .offset(page.offset),
        db.select({ value: count() }).from(templateVersions).where(where),
    ]);
    return { rows, total: total?.value ?? 0 };
}
export async function findTemplateVersion(db, templateId, version) {
    const [row] = await db
        .select()
        .from(templateVersions)
        .where(and(eq(templateVersions.templateId, templateId), eq(templateVersions.version, version)))
        .limit(1);
    return row;
}
/** Stages that reference a template, with the role they use it in (bounded: enough for a message). */
export async function findStagesUsingTemplate(db, businessId, templateId, limit = 10) {
    return db
        .select({
        stageId: stages.stageId,
        stageName: stages.stageName,
        stageSelectionTemplateId: stages.stageSelectionTemplateId,
        dataExtractionTemplateId: stages.dataExtractionTemplateId,
        responseGenerationTemplateId: stages.responseGenerationTemplateId,
    })
        .from(stages)
        .where(and(eq(stages.businessId, businessId), or(eq(stages.stageSelectionTemplateId, templateId), eq(stages.dataExtractionTemplateId, templateId), eq(stages.responseGenerationTemplateId, templateId))))
        .orderBy(asc(stages.createdAt))
        .limit(limit);
}
/** How many templates the business has (its MAX_TEMPLATES_PER_BUSINESS quota). */
export async function countTemplates(db, businessId) {
    const [row] = await db
        .select({ value: count() })
        .from(templates)
        .where(eq(templates.businessId, businessId));
    return row?.value ?? 0;
}
//# sourceMappingURL=templates.repository.js.map