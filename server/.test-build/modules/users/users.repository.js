import { and, asc, count, eq } from 'drizzle-orm';
import { users } from '../../db/schema.js';
const scoped = (userId, businessId) => businessId ? and(eq(users.userId, userId), eq(users.businessId, businessId)) : eq(users.userId, userId);
export async function insertUser(db, row) {
    const [user] = await db.insert(users).values(row).returning();
    if (!user)
        throw new Error('user insert returned nothing');
    return user;
}
export async function findUser(db, userId, businessId) {
    const [row] = await db.select().from(users).where(scoped(userId, businessId)).limit(1);
    return row;
}
export async function listUsers(db, businessId, page) {
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
export async function updateUser(db, userId, businessId, values) {
    const [row] = await db
        .update(users)
        .set({ ...values, updatedAt: new Date() })
        .where(scoped(userId, businessId))
        .returning();
    return row;
}
export async function deleteUser(db, userId, businessId) {
    const rows = await db.delete(users).where(scoped(userId, businessId)).returning({ id: users.userId });
    return rows.length > 0;
}
//# sourceMappingURL=users.repository.js.map