import { and, asc, count, eq, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { agents } from '../../db/schema.js';
import type { Page } from '../../lib/schemas.js';

export type AgentRow = typeof agents.$inferSelect;

const scoped = (agentId: string, businessId: string | undefined): SQL | undefined =>
  businessId
    ? and(eq(agents.agentId, agentId), eq(agents.businessId, businessId))
    : eq(agents.agentId, agentId);

export async function insertAgent(db: DbOrTx, row: typeof agents.$inferInsert): Promise<AgentRow> {
  const [agent] = await db.insert(agents).values(row).returning();
  if (!agent) throw new Error('agent insert returned nothing');
  return agent;
}

/** `forUpdate` (in a transaction) locks the row, so the caller's "before" is what it changes. */
export async function findAgent(
  db: DbOrTx,
  agentId: string,
  businessId: string | undefined,
  options: { forUpdate?: boolean } = {},
) {
  const query = db.select().from(agents).where(scoped(agentId, businessId)).limit(1);
  const [row] = options.forUpdate ? await query.for('update') : await query;
  return row;
}

export async function listAgents(db: DbOrTx, businessId: string, page: Page) {
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

export async function updateAgent(
  db: DbOrTx,
  agentId: string,
  businessId: string | undefined,
  values: Partial<AgentRow>,
) {
  const [row] = await db
    .update(agents)
    .set({ ...values, updatedAt: new Date() })
    .where(scoped(agentId, businessId))
    .returning();
  return row;
}

export async function deleteAgent(db: DbOrTx, agentId: string, businessId: string | undefined) {
  const rows = await db.delete(agents).where(scoped(agentId, businessId)).returning({ id: agents.agentId });
  return rows.length > 0;
}
