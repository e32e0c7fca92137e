import { and, asc, count, eq, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { users } from '../../db/schema.js';
import type { Page } from '../../lib/schemas.js';

export type UserRow = typeof users.$inferSelect;

const scoped = (userId: string, businessId: string | undefined): SQL | undefined =>
  businessId ? and(eq(users.userId, userId), eq(users.businessId, businessId)) : eq(users.userId, userId);

export async function insertUser(db: DbOrTx, row: typeof users.$inferInsert): Promise<UserRow> {
  const [user] = await db.insert(users).values(row).returning();
  if (!user) throw new Error('user insert returned nothing');
  return user;
}

export async function findUser(db: DbOrTx, userId: string, businessId: string | undefined) {
  const [row] = await db.select().from(users).where(scoped(userId, businessId)).limit(1);
  return row;
}

export async function listUsers(db: DbOrTx, businessId: string, page: Page) {
  const where = eq(users.businessId, businessId);
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(users)
      .where(where)
      .orderBy(asc(users.createdAt))
      .limit(page.perPage)
      .offset(page.offset),
    db.select({ value: count() }).from(users).where(where),
  ]);
  return { rows, total: total?.value ?? 0 };
}

export async function updateUser(
  db: DbOrTx,
  userId: string,
  businessId: string | undefined,
  values: Partial<UserRow>,
) {
  const [row] = await db
    .update(users)
    .set({ ...values, updatedAt: new Date() })
    .where(scoped(userId, businessId))
    .returning();
  return row;
}

export async function deleteUser(db: DbOrTx, userId: string, businessId: string | undefined) {
  const rows = await db.delete(users).where(scoped(userId, businessId)).returning({ id: users.userId });
  return rows.length > 0;
}
