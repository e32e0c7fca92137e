import { and, eq, sql } from 'drizzle-orm';
import { cannedReplies } from '../../db/schema.js';
const scoped = (id, businessId) => businessId
    ? and(eq(cannedReplies.cannedReplyId, id), eq(cannedReplies.businessId, businessId))
    : eq(cannedReplies.cannedReplyId, id);
export async function insertCannedReply(db, row) {
    const [created] = await db.insert(cannedReplies).values(row).returning();
    if (!created)
        throw new Error('canned reply insert returned nothing');
    return created;
}
/** `forUpdate` (in a transaction) locks the row, so the caller's "before" is what it changes. */
export async function findCannedReply(db, id, businessId, options = {}) {
    const query = db.select().from(cannedReplies).where(scoped(id, businessId)).limit(1);
    const [row] = options.forUpdate ? await query.for('update') : await query;
    return row;
}
/** Sorted by shortcut, byte order (the same on every database, whatever its collation). */
export async function listCannedReplies(db, businessId) {
    return db
        .select()
        .from(cannedReplies)
        .where(eq(cannedReplies.businessId, businessId))
        .orderBy(sql `${cannedReplies.shortcut} COLLATE "C"`);
}
export async function updateCannedReply(db, id, businessId, values) {
    const [row] = await db
        .update(cannedReplies)
        .set({ ...values, updatedAt: new Date() })
        .where(scoped(id, businessId))
        .returning();
    return row;
}
export async function deleteCannedReply(db, id, businessId) {
    const rows = await db
        .delete(cannedReplies)
        .where(scoped(id, businessId))
        .returning({ id: cannedReplies.cannedReplyId });
    return rows.length > 0;
}
//# sourceMappingURL=canned-replies.repository.js.map