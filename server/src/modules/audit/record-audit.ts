import type { DbOrTx } from '../../db/client.js';
import { auditLogs } from '../../db/schema.js';
import type { Principal } from '../../plugins/auth.js';

/** Who changed what in a tenant's configuration; never holds secret values. */
export async function recordAudit(
  db: DbOrTx,
  principal: Principal,
  businessId: string | null,
  action: string,
  entityType: string,
  entityId: string | null,
  details?: Record<string, unknown>,
) {
  await db.insert(auditLogs).values({
    businessId,
    actorRole: principal.role,
    action,
    entityType,
    entityId,
    details: details ?? null,
  });
}
