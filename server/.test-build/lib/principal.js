export const MEMBER_ROLES = ['owner', 'editor', 'agent', 'viewer'];
export const API_KEY_SCOPES = [
    'messages',
    'read',
    'write',
    'admin',
];
/** The role matrix (api.md, "Team accounts and roles"): the one place that says who may what. */
export const ROLE_PERMISSIONS = {
    owner: ['read', 'messages', 'converse', 'edit', 'manage'],
    editor: ['read', 'messages', 'converse', 'edit'],
    agent: ['read', 'converse'],
    viewer: ['read'],
};
/** API key scopes in the same terms: `write` is what an editor may, `admin` what an owner may. */
export const SCOPE_PERMISSIONS = {
    messages: ['messages'],
    read: ['read'],
    write: ['read', 'messages', 'converse', 'edit'],
    admin: ['read', 'messages', 'converse', 'edit', 'manage'],
};
export const MASTER_PRINCIPAL = Object.freeze({
    role: 'admin',
    account: null,
    memberships: [],
    sessionId: null,
});
/** The permissions a principal has in one business (every one for a platform admin). */
export function permissionsIn(principal, businessId) {
    if (principal.role === 'admin')
        return ROLE_PERMISSIONS.owner;
    if (principal.role === 'business') {
        if (principal.businessId !== businessId)
            return [];
        return [...new Set(principal.scopes.flatMap((scope) => SCOPE_PERMISSIONS[scope]))];
    }
    const membership = principal.memberships.find((m) => m.businessId === businessId);
    return membership ? ROLE_PERMISSIONS[membership.role] : [];
}
/** Whether the principal belongs to the business at all (else its resources are 404, not 403). */
export function belongsTo(principal, businessId) {
    if (principal.role === 'admin')
        return true;
    if (principal.role === 'business')
        return principal.businessId === businessId;
    return principal.memberships.some((m) => m.businessId === businessId);
}
/** Who did something, for audit entries and `created_by`. */
export function actorOf(principal) {
    if (principal.role === 'business')
        return { type: 'api_key', id: principal.keyId, name: principal.keyName };
    if (principal.account) {
        return {
            type: 'account',
            id: principal.account.id,
            name: principal.account.name || principal.account.email,
        };
    }
    return { type: 'master', id: null, name: 'master key' };
}
//# sourceMappingURL=principal.js.map