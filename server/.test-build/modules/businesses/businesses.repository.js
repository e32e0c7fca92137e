import { asc, count, eq, sql } from 'drizzle-orm';
import { businesses } from '../../db/schema.js';
export async function insertBusiness(db, row) {
    const [business] = await db.insert(businesses).values(row).returning();
    if (!business)
        throw new Error('business insert returned nothing');
    return business;
}
/** `forUpdate` (in a transaction) locks the row, so what the caller reads is what it changes. */
export async function findBusiness(db, businessId, options = {}) {
    const query = db.select().from(businesses).where(eq(businesses.businessId, businessId)).limit(1);
    const [row] = options.forUpdate ? await query.for('update') : await query;
    return row;
}
export async function findBusinessByName(db, name) {
    const [row] = await db
        .select()
        .from(businesses)
        .where(sql `lower(${businesses.businessName}) = lower(${name})`)
        .limit(1);
    return row;
}
export async function listBusinesses(db, page) {
    const [rows, [total]] = await Promise.all([
        db.select().from(businesses).orderBy(asc(businesses.createdAt)).limit(page.perPage).offset(page.offset),
        db.select({ value: count() }).from(businesses),
    ]);
    return { rows, total: total?.value ?? 0 };
}
export async function updateBusiness(db, businessId, values) {
    const [row] = await db
        .update(businesses)
        .set({ ...values, updatedAt: new Date() })
        .where(eq(businesses.businessId, businessId))
        .returning();
    return row;
}
export async function deleteBusiness(db, businessId) {
    const deleted = await db
        .delete(businesses)
        .where(eq(businesses.businessId, businessId))
        .returning({ id: businesses.businessId });
    return deleted.length > 0;
}
//# sourceMappingURL=businesses.repository.js.map