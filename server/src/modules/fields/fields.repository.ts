import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { businesses, type FieldDefinition, stages } from '../../db/schema.js';

/** The business's fields, its row locked for the rest of the transaction (field edits queue here). */
export async function lockBusinessFields(db: DbOrTx, businessId: string) {
  const [row] = await db
    .select({ fields: businesses.fields })
    .from(businesses)
    .where(eq(businesses.businessId, businessId))
    // NO KEY UPDATE: the business's message and LLM-call inserts (KEY SHARE for their foreign key) go on.
    .for('no key update');
  return row?.fields;
}

export async function readBusinessFields(db: DbOrTx, businessId: string) {
  const [row] = await db
    .select({ fields: businesses.fields })
    .from(businesses)
    .where(eq(businesses.businessId, businessId));
  return row?.fields;
}

export async function writeBusinessFields(db: DbOrTx, businessId: string, fields: FieldDefinition[]) {
  await db
    .update(businesses)
    .set({ fields, updatedAt: new Date() })
    .where(eq(businesses.businessId, businessId));
}

/** Names of the business's stages whose goals name the field. */
export async function stagesUsingField(db: DbOrTx, businessId: string, name: string) {
  const rows = await db
    .select({ name: stages.stageName })
    .from(stages)
    .where(
      sql`${stages.businessId} = ${businessId} AND (${stages.requiredFields} @> ${JSON.stringify([name])}::jsonb OR ${stages.optionalFields} @> ${JSON.stringify([name])}::jsonb)`,
    );
  return rows.map((r) => r.name);
}

/** The business's stages with a transition rule on the field: their names and rules. */
export async function stagesWithRuleOnField(db: DbOrTx, businessId: string, name: string) {
  return db
    .select({ name: stages.stageName, rules: stages.transitionRules })
    .from(stages)
    .where(
      sql`${stages.businessId} = ${businessId} AND ${stages.transitionRules} @> ${JSON.stringify([{ field: name }])}::jsonb`,
    );
}
