import { and, asc, count, eq } from 'drizzle-orm';
import { agents } from '../../db/schema.js';
const scoped = (agentId, businessId) => businessId
    ? and(eq(agents.agentId, agentId), eq(agents.businessId, businessId))
    : eq(agents.agentId, agentId);
export async function insertAgent(db, row) {
    const [agent] = await db.insert(agents).values(row).returning();
    if (!agent)
        throw new Error('agent insert returned nothing');
    return agent;
}
/** `forUpdate` (in a transaction) locks the row, so the caller's "before" is what it changes. */
export async function findAgent(db, agentId, businessId, options = {}) {
    const query = db.select().from(agents).where(scoped(agentId, businessId)).limit(1);
    const [row] = options.forUpdate ? await query.for('update') : await query;
    return row;
}
export async function listAgents(db, businessId, page) {
    const where = eq(agents.businessId, businessId);
    const [rows, [total]] = await Promise.all([
        db
            .select()
            .from(agents)
            .where(where)
            .orderBy(asc(agents.createdAt))
            .limit(page.perPage)
            .offset(page.offset),
        db.select({ value: count() }).from(agents).where(where),
    ]);
    return { rows, total: total?.value ?? 0 };
}
export async function updateAgent(db, agentId, businessId, values) {
    const [row] = await db
        .update(agents)
        .set({ ...values, updatedAt: new Date() })
        .where(scoped(agentId, businessId))
        .returning();
    return row;
}
export async function deleteAgent(db, agentId, businessId) {
    const rows = await db.delete(agents).where(scoped(agentId, businessId)).returning({ id: agents.agentId });
    return rows.length > 0;
}
//# sourceMappingURL=agents.repository.js.map