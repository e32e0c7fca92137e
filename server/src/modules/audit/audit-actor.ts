import type { ActorRef } from '../../lib/principal.js';

/** Who made a change, as the audit log names them: the name is kept as it was at the time. */
export type AuditActor = ActorRef;

export const MASTER_ACTOR: AuditActor = { type: 'master', id: null, name: 'master key' };

export { actorOf } from '../../lib/principal.js';
