import { and, count, desc, eq, gte, lt } from 'drizzle-orm';
import { auditLogs } from '../../db/schema.js';
export async function insertAuditLog(db, values) {
    await db.insert(auditLogs).values(values);
}
/** A business's entries, newest first; every filter is served by an index led by business_id. */
export async function listAuditLogs(db, businessId, filters, page) {
    const conditions = [
        eq(auditLogs.businessId, businessId),
        filters.actorType === undefined ? undefined : eq(auditLogs.actorType, filters.actorType),
        filters.actorId === undefined ? undefined : eq(auditLogs.actorId, filters.actorId),
        filters.entityType === undefined ? undefined : eq(auditLogs.entityType, filters.entityType),
        filters.from === undefined ? undefined : gte(auditLogs.createdAt, filters.from),
        filters.until === undefined ? undefined : lt(auditLogs.createdAt, filters.until),
    ];
    const where = and(...conditions);
    const [rows, [total]] = await Promise.all([
        db
            .select()
            .from(auditLogs)
            .where(where)
            .orderBy(desc(auditLogs.createdAt), desc(auditLogs.auditLogId))
            .limit(page.perPage)
            .offset(page.offset),
        db.select({ value: count() }).from(auditLogs).where(where),
    ]);
    return { rows, total: total?.value ?? 0 };
}
//# sourceMappingURL=audit.repository.js.map