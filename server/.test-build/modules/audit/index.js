/** What other modules may use of the audit log: recording a change, and naming who made it. */
export { actorOf, MASTER_ACTOR } from './audit-actor.js';
export { recordAudit } from './record-audit.js';
//# sourceMappingURL=index.js.map