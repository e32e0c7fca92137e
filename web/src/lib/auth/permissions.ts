import type { KeyScope, MemberRole } from '../api/models';
import { type Standing, useSession } from './session';

export type { Standing };

/**
 * What a credential may do in a business, mirroring the server's matrix (server/src/lib/principal.ts,
 * api.md "Team accounts and roles"). The UI hides or disables what is not allowed and says why; the
 * server refuses it anyway (403), so this is a courtesy, never the guard.
 */
type Grant = 'read' | 'messages' | 'converse' | 'edit' | 'manage';

const ROLE_GRANTS: Record<MemberRole, readonly Grant[]> = {
  owner: ['read', 'messages', 'converse', 'edit', 'manage'],
  editor: ['read', 'messages', 'converse', 'edit'],
  agent: ['read', 'converse'],
  viewer: ['read'],
};

const SCOPE_GRANTS: Record<KeyScope, readonly Grant[]> = {
  messages: ['messages'],
  read: ['read'],
  write: ['read', 'messages', 'converse', 'edit'],
  admin: ['read', 'messages', 'converse', 'edit', 'manage'],
};

/** What the UI asks about, each mapped to what the server checks. */
export type Permission =
  /** conversations and the LLM call log (every role) */
  | 'conversations.read'
  /** agent replies, AI stop/resume, closing a conversation */
  | 'conversations.handle'
  /** deleting a conversation and its messages */
  | 'conversations.delete'
  /** posting test messages (the simulator) */
  | 'messages.send'
  /** stages, templates, agents */
  | 'content.edit'
  /** business settings other than channels and keys */
  | 'settings.edit'
  | 'channels.manage'
  | 'keys.manage'
  | 'members.manage'
  | 'business.delete'
  | 'audit.read'
  /** publishing and restoring releases, importing a configuration */
  | 'releases.publish';

const NEEDS: Record<Permission, Grant> = {
  'conversations.read': 'read',
  'conversations.handle': 'converse',
  'conversations.delete': 'edit',
  'messages.send': 'messages',
  'content.edit': 'edit',
  'settings.edit': 'edit',
  'audit.read': 'edit',
  'releases.publish': 'edit',
  'channels.manage': 'manage',
  'keys.manage': 'manage',
  'members.manage': 'manage',
  'business.delete': 'manage',
};

/** The least role that has each grant, for the reason shown to everyone else. */
const WHO: Record<Grant, string> = {
  read: 'members',
  messages: 'editors and owners',
  converse: 'agents, editors and owners',
  edit: 'editors and owners',
  manage: 'owners',
};

export interface Can {
  allowed: boolean;
  /** Why not, in a sentence for a tooltip or a note; null when allowed. */
  reason: string | null;
}

export function can(standing: Standing, permission: Permission): Can {
  if (!standing) return { allowed: false, reason: 'Choose a business first.' };
  if (standing.kind === 'admin') return { allowed: true, reason: null };
  const needed = NEEDS[permission];
  if (standing.kind === 'member') {
    if (ROLE_GRANTS[standing.role].includes(needed)) return { allowed: true, reason: null };
    return { allowed: false, reason: `Only ${WHO[needed]} can do this; your role here is ${standing.role}.` };
  }
  if (standing.scopes.some((s) => SCOPE_GRANTS[s].includes(needed))) return { allowed: true, reason: null };
  return {
    allowed: false,
    reason: `This API key's scopes (${standing.scopes.join(', ') || 'none'}) do not allow this.`,
  };
}

/** The one hook every role-aware control asks: `const edit = useCan('content.edit')`. */
export function useCan(permission: Permission): Can {
  return can(useSession().standing, permission);
}
