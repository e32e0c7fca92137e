import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { cannedReplies } from '../../db/schema.js';

export type CannedReplyRow = typeof cannedReplies.$inferSelect;

const scoped = (id: string, businessId: string | undefined): SQL | undefined =>
  businessId
    ? and(eq(cannedReplies.cannedReplyId, id), eq(cannedReplies.businessId, businessId))
    : eq(cannedReplies.cannedReplyId, id);

export async function insertCannedReply(
  db: DbOrTx,
  row: typeof cannedReplies.$inferInsert,
): Promise<CannedReplyRow> {
  const [created] = await db.insert(cannedReplies).values(row).returning();
  if (!created) throw new Error('canned reply insert returned nothing');
  return created;
}

/** `forUpdate` (in a transaction) locks the row, so the caller's "before" is what it changes. */
export async function findCannedReply(
  db: DbOrTx,
  id: string,
  businessId: string | undefined,
  options: { forUpdate?: boolean } = {},
) {
  const query = db.select().from(cannedReplies).where(scoped(id, businessId)).limit(1);
  const [row] = options.forUpdate ? await query.for('update') : await query;
  return row;
}

/** Sorted by shortcut, byte order (the same on every database, whatever its collation). */
export async function listCannedReplies(db: DbOrTx, businessId: string) {
  return db
    .select()
    .from(cannedReplies)
    .where(eq(cannedReplies.businessId, businessId))
    .orderBy(sql`${cannedReplies.shortcut} COLLATE "C"`);
}

export async function updateCannedReply(
  db: DbOrTx,
  id: string,
  businessId: string | undefined,
  values: Partial<Pick<CannedReplyRow, 'shortcut' | 'content'>>,
) {
  const [row] = await db
    .update(cannedReplies)
    .set({ ...values, updatedAt: new Date() })
    .where(scoped(id, businessId))
    .returning();
  return row;
}

export async function deleteCannedReply(db: DbOrTx, id: string, businessId: string | undefined) {
  const rows = await db
    .delete(cannedReplies)
    .where(scoped(id, businessId))
    .returning({ id: cannedReplies.cannedReplyId });
  return rows.length > 0;
}
