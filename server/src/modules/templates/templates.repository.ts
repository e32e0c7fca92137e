import type { DbOrTx } from '../../db/client.js';
import { templates, templateVersions } from '../../db/schema.js';

export type TemplateRow = typeof templates.$inferSelect;
export type NewTemplate = typeof templates.$inferInsert;

/** Inserts templates and their first version in two statements. */
export async function insertTemplates(db: DbOrTx, rows: NewTemplate[]): Promise<TemplateRow[]> {
  if (rows.length === 0) return [];
  const inserted = await db.insert(templates).values(rows).returning();
  await db.insert(templateVersions).values(
    inserted.map((t) => ({
      templateId: t.templateId,
      version: t.version,
      templateName: t.templateName,
      content: t.content,
      systemPrompt: t.systemPrompt,
    })),
  );
  return inserted;
}
