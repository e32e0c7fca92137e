import type { BusinessRole } from './session';
import { useSession } from './session';

/**
 * What a role may do in a business (api.md "Team accounts and roles"). The UI hides or disables
 * what is not allowed and says why; the server refuses it anyway (403), so this is a courtesy,
 * never the guard.
 */
export type Permission =
  /** conversations and the LLM call log (every role) */
  | 'conversations.read'
  /** agent replies, AI stop/resume, closing a conversation */
  | 'conversations.handle'
  /** deleting a conversation and its messages */
  | 'conversations.delete'
  /** stages, templates, agents, the simulator */
  | 'content.edit'
  /** business settings other than channels and keys */
  | 'settings.edit'
  | 'channels.manage'
  | 'keys.manage'
  | 'members.manage'
  | 'business.delete'
  | 'audit.read';

const RANK: Record<Exclude<BusinessRole, 'admin'>, number> = { viewer: 0, agent: 1, editor: 2, owner: 3 };

const NEEDS: Record<Permission, Exclude<BusinessRole, 'admin'>> = {
  'conversations.read': 'viewer',
  'conversations.handle': 'agent',
  'conversations.delete': 'editor',
  'content.edit': 'editor',
  'settings.edit': 'editor',
  'audit.read': 'editor',
  'channels.manage': 'owner',
  'keys.manage': 'owner',
  'members.manage': 'owner',
  'business.delete': 'owner',
};

const ROLE_NAMES: Record<Exclude<BusinessRole, 'admin'>, string> = {
  viewer: 'viewers',
  agent: 'agents',
  editor: 'editors',
  owner: 'owners',
};

export interface Can {
  allowed: boolean;
  /** Why not, in a sentence for a tooltip or helper text; null when allowed. */
  reason: string | null;
}

export function can(role: BusinessRole | null, permission: Permission): Can {
  if (role === 'admin') return { allowed: true, reason: null };
  if (!role) return { allowed: false, reason: 'Choose a business first.' };
  const needed = NEEDS[permission];
  if (RANK[role] >= RANK[needed]) return { allowed: true, reason: null };
  const who = needed === 'owner' ? 'owners' : `${ROLE_NAMES[needed]} and owners`;
  return { allowed: false, reason: `Only ${who} can do this; your role here is ${role}.` };
}

/** The one hook every role-aware control asks: `const edit = useCan('content.edit')`. */
export function useCan(permission: Permission): Can {
  return can(useSession().role, permission);
}
