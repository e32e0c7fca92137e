import type { DbOrTx } from '../../db/client.js';
import { stages } from '../../db/schema.js';

export type StageRow = typeof stages.$inferSelect;
export type NewStage = typeof stages.$inferInsert;

export async function insertStage(db: DbOrTx, row: NewStage): Promise<StageRow> {
  const [stage] = await db.insert(stages).values(row).returning();
  if (!stage) throw new Error('stage insert returned nothing');
  return stage;
}
