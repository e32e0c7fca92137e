import type { DbOrTx } from '../../db/client.js';
import type { Principal } from '../../lib/principal.js';
import { insertAuditLog } from './audit.repository.js';

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
  await insertAuditLog(db, {
    businessId,
    actorRole: principal.role,
    action,
    entityType,
    entityId,
    details: details ?? null,
  });
}
