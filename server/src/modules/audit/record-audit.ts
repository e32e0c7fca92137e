import type { DbOrTx } from '../../db/client.js';
import { insertAuditLog } from './audit.repository.js';
import type { AuditEntityType } from './audit.schemas.js';
import type { AuditActor } from './audit-actor.js';

/** An entity's public JSON (what the API answers for it): never secrets, hashes or tokens. */
export type AuditSnapshot = Record<string, unknown>;

export interface AuditChange {
  /** null for installation-wide changes (and a deleted business, whose own rows go with it). */
  businessId: string | null;
  action: AuditAction;
  entityType: AuditEntityType;
  entityId: string | null;
  /** null when the change creates the entity. */
  before: AuditSnapshot | null;
  /** null when the change deletes the entity. */
  after: AuditSnapshot | null;
  /** Context the snapshots do not show (the version a template was restored from). */
  details?: Record<string, unknown>;
}

export type AuditAction =
  | 'create'
  | 'update'
  | 'delete'
  | 'restore'
  | 'revoke'
  | 'rotate_key'
  | 'ai_stop'
  | 'ai_resume'
  | 'take_over'
  | 'give_back'
  /** A release of the business configuration (releases module). */
  | 'publish'
  /** A configuration document replaced the draft (releases module). */
  | 'import';

/**
 * Records one change to a tenant's configuration. Call it with the transaction that makes the change,
 * so the entry exists exactly when the change does.
 */
export async function recordAudit(db: DbOrTx, actor: AuditActor, change: AuditChange) {
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
