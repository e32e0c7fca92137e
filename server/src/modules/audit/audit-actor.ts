import type { AuditActorType } from '../../db/schema.js';
import type { Principal } from '../../plugins/auth.js';

/** Who made a change, as the audit log names them: the name is kept as it was at the time. */
export interface AuditActor {
  type: AuditActorType;
  /** The account's or key's id; null for the master key and for the business's single key of today. */
  id: string | null;
  name: string;
}

export const MASTER_ACTOR: AuditActor = { type: 'master', id: null, name: 'master key' };

/** The audit actor of an authenticated request. */
export function actorOf(principal: Principal): AuditActor {
  switch (principal.role) {
    case 'admin':
      return MASTER_ACTOR;
    case 'business':
      return { type: 'api_key', id: null, name: 'business key' };
  }
}
