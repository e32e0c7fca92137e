import { insertAuditLog } from './audit.repository.js';
/**
 * Records one change to a tenant's configuration. Call it with the transaction that makes the change,
 * so the entry exists exactly when the change does.
 */
export async function recordAudit(db, actor, change) {
    await insertAuditLog(db, {
        businessId: change.businessId,
        actorType: actor.type,
        actorId: actor.id,
        actorName: actor.name,
        action: change.action,
        entityType: change.entityType,
        entityId: change.entityId,
        before: change.before,
        after: change.after,
        details: change.details ?? null,
    });
}
//# sourceMappingURL=record-audit.js.map