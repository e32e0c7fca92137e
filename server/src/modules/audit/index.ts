/** What other modules may use of the audit log: recording a change, and naming who made it. */
export { type AuditActor, actorOf, MASTER_ACTOR } from './audit-actor.js';
export { type AuditChange, type AuditSnapshot, recordAudit } from './record-audit.js';
