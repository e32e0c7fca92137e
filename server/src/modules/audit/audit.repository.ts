import type { DbOrTx } from '../../db/client.js';
import { auditLogs } from '../../db/schema.js';

export type NewAuditLog = typeof auditLogs.$inferInsert;

export async function insertAuditLog(db: DbOrTx, values: NewAuditLog) {
  await db.insert(auditLogs).values(values);
}
