import type { ActorRef, ApiKeyScope, MemberRole } from '../db/schema.js';

export type { ActorRef, ApiKeyScope, MemberRole };

export const MEMBER_ROLES = ['owner', 'editor', 'agent', 'viewer'] as const satisfies readonly MemberRole[];
export const API_KEY_SCOPES = [
  'messages',
  'read',
  'write',
  'admin',
] as const satisfies readonly ApiKeyScope[];

/**
 * What a route may need within one business:
 * - `read`: read everything of the business;
 * - `messages`: post customer messages (`/api/message`) and get their results;
 * - `converse`: act in conversations (AI stop/resume, agent replies, close);
 * - `edit`: change stages, templates, agents, settings (not channels, keys or members);
 * - `manage`: members, API keys, channels, rotate-key, delete.
 */
export type Permission = 'read' | 'messages' | 'converse' | 'edit' | 'manage';

/** The role matrix (api.md, "Team accounts and roles"): the one place that says who may what. */
export const ROLE_PERMISSIONS: Readonly<Record<MemberRole, readonly Permission[]>> = {
  owner: ['read', 'messages', 'converse', 'edit', 'manage'],
  editor: ['read', 'messages', 'converse', 'edit'],
  agent: ['read', 'converse'],
  viewer: ['read'],
};

/** API key scopes in the same terms: `write` is what an editor may, `admin` what an owner may. */
export const SCOPE_PERMISSIONS: Readonly<Record<ApiKeyScope, readonly Permission[]>> = {
  messages: ['messages'],
  read: ['read'],
  write: ['read', 'messages', 'converse', 'edit'],
  admin: ['read', 'messages', 'converse', 'edit', 'manage'],
};

export interface AccountInfo {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly isAdmin: boolean;
}

export interface MembershipInfo {
  readonly businessId: string;
  readonly businessName: string;
  readonly role: MemberRole;
}

/**
 * Who a request is.
 * - `admin`: the master key, or a platform admin account (`account` set); may do everything.
 * - `business`: one business's API key, limited by its scopes.
 * - `member`: a team account, with its role in each business it belongs to.
 * `sessionId` is set when the credential was a session cookie. `businessId` on a member is the
 * business the route's access rule resolved for this request (set by the access hook).
 */
export type Principal =
  | {
      readonly role: 'admin';
      readonly account: AccountInfo | null;
      readonly memberships: readonly MembershipInfo[];
      readonly sessionId: string | null;
    }
  | {
      readonly role: 'business';
      readonly businessId: string;
      readonly businessName: string;
      readonly keyId: string;
      readonly keyName: string;
      readonly scopes: readonly ApiKeyScope[];
      readonly sessionId: string | null;
    }
  | {
      readonly role: 'member';
      readonly account: AccountInfo;
      readonly memberships: readonly MembershipInfo[];
      readonly sessionId: string | null;
      readonly businessId?: string;
    };

export const MASTER_PRINCIPAL: Principal = Object.freeze({
  role: 'admin',
  account: null,
  memberships: [],
  sessionId: null,
});

// A key's scopes are read once per key (the key resolver caches its principal), so their union is
// worked out once per key, not on every request it makes.
const scopePermissions = new WeakMap<readonly ApiKeyScope[], readonly Permission[]>();

function permissionsOfScopes(scopes: readonly ApiKeyScope[]): readonly Permission[] {
  let permissions = scopePermissions.get(scopes);
  if (!permissions) {
    permissions = Object.freeze([...new Set(scopes.flatMap((scope) => SCOPE_PERMISSIONS[scope]))]);
    scopePermissions.set(scopes, permissions);
  }
  return permissions;
}

/** The permissions a principal has in one business (every one for a platform admin). */
export function permissionsIn(principal: Principal, businessId: string): readonly Permission[] {
  if (principal.role === 'admin') return ROLE_PERMISSIONS.owner;
  if (principal.role === 'business') {
    if (principal.businessId !== businessId) return [];
    return permissionsOfScopes(principal.scopes);
  }
  const membership = principal.memberships.find((m) => m.businessId === businessId);
  return membership ? ROLE_PERMISSIONS[membership.role] : [];
}

/** Whether the principal belongs to the business at all (else its resources are 404, not 403). */
export function belongsTo(principal: Principal, businessId: string): boolean {
  if (principal.role === 'admin') return true;
  if (principal.role === 'business') return principal.businessId === businessId;
  return principal.memberships.some((m) => m.businessId === businessId);
}

/** Who did something, for audit entries and `created_by`. */
export function actorOf(principal: Principal): ActorRef {
  if (principal.role === 'business') return { type: 'api_key', id: principal.keyId, name: principal.keyName };
  if (principal.account) {
    return {
      type: 'account',
      id: principal.account.id,
      name: principal.account.name || principal.account.email,
    };
  }
  return { type: 'master', id: null, name: 'master key' };
}

/**
 * Whether the principal sees PII fields masked in this business: a `viewer` member or an API key whose
 * scopes give nothing beyond `read` (a read-only key). Those who may act in conversations see them clear.
 */
export function masksPii(principal: Principal, businessId: string): boolean {
  const permissions = permissionsIn(principal, businessId);
  return permissions.length > 0 && permissions.every((p) => p === 'read');
}
