import { asc, count, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { businesses } from '../../db/schema.js';
import type { Page } from '../../lib/schemas.js';

export type BusinessRow = typeof businesses.$inferSelect;

export async function insertBusiness(db: DbOrTx, row: typeof businesses.$inferInsert): Promise<BusinessRow> {
  const [business] = await db.insert(businesses).values(row).returning();
  if (!business) throw new Error('business insert returned nothing');
  return business;
}

/**
 * `lock` (in a transaction) locks the row, so what the caller reads is what it changes: `no key update`
 * to change it — every insert that references the business (a message, an LLM call) takes KEY SHARE on
 * this row for its foreign key, which only `update` blocks — and `update` to delete it.
 */
export async function findBusiness(
  db: DbOrTx,
  businessId: string,
  options: { lock?: 'update' | 'no key update' } = {},
): Promise<BusinessRow | undefined> {
  const query = db.select().from(businesses).where(eq(businesses.businessId, businessId)).limit(1);
  const [row] = options.lock ? await query.for(options.lock) : await query;
  return row;
}

export async function findBusinessByName(db: DbOrTx, name: string): Promise<BusinessRow | undefined> {
  const [row] = await db
    .select()
    .from(businesses)
    .where(sql`lower(${businesses.businessName}) = lower(${name})`)
    .limit(1);
  return row;
}

export async function listBusinesses(db: DbOrTx, page: Page) {
  const [rows, [total]] = await Promise.all([
    db.select().from(businesses).orderBy(asc(businesses.createdAt)).limit(page.perPage).offset(page.offset),
    db.select({ value: count() }).from(businesses),
  ]);
  return { rows, total: total?.value ?? 0 };
}

export async function updateBusiness(
  db: DbOrTx,
  businessId: string,
  values: Partial<typeof businesses.$inferInsert>,
) {
  const [row] = await db
    .update(businesses)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(businesses.businessId, businessId))
    .returning();
  return row;
}

export async function deleteBusiness(db: DbOrTx, businessId: string): Promise<boolean> {
  const deleted = await db
    .delete(businesses)
    .where(eq(businesses.businessId, businessId))
    .returning({ id: businesses.businessId });
  return deleted.length > 0;
}
