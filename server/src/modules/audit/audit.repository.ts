import { and, count, desc, eq, gte, lt, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { type AuditActorType, auditLogs } from '../../db/schema.js';
import type { Page } from '../../lib/schemas.js';

export type NewAuditLog = typeof auditLogs.$inferInsert;
export type AuditLogRow = typeof auditLogs.$inferSelect;

export async function insertAuditLog(db: DbOrTx, values: NewAuditLog) {
  await db.insert(auditLogs).values(values);
}

export interface AuditLogFilters {
  actorType?: AuditActorType | undefined;
  actorId?: string | undefined;
  entityType?: string | undefined;
  /** created_at at or after this instant. */
  from?: Date | undefined;
  /** created_at strictly before this instant. */
  until?: Date | undefined;
}

/** A business's entries, newest first; every filter is served by an index led by business_id. */
export async function listAuditLogs(
  db: DbOrTx,
  businessId: string,
  filters: AuditLogFilters,
  page: Page,
): Promise<{ rows: AuditLogRow[]; total: number }> {
  const conditions: (SQL | undefined)[] = [
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
