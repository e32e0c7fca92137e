import { AppError, conflict, notFound } from '../../errors.js';
import { generateSecret, hashSecret } from '../../lib/keys.js';
import { actorOf } from '../../lib/principal.js';
import { recordAudit } from '../audit/index.js';
import { unassignLeavingMember } from '../conversations/index.js';
import { findAccountByEmail } from './accounts.repository.js';
import { createAccount, startAccountSession, toAccountInfo } from './auth.service.js';
import { deleteMember, findMember, findOpenInvitation, insertInvitation, insertMembership, listMembers, listPendingInvitations, lockOwners, markInvitationAccepted, revokeInvitation, updateMemberRole, } from './members.repository.js';
const INVITATION_TTL_MS = 7 * 24 * 3_600_000;
const serializeMember = (row) => ({
    member_id: row.membershipId,
    account_id: row.accountId,
    email: row.email,
    name: row.name,
    role: row.role,
    created_at: row.createdAt.toISOString(),
});
const serializeInvitation = (row) => ({
    invitation_id: row.invitationId,
    email: row.email,
    role: row.role,
    created_at: row.createdAt.toISOString(),
    expires_at: row.expiresAt.toISOString(),
});
export async function listBusinessMembers(ctx, businessId, page) {
    const { rows, total } = await listMembers(ctx.db, businessId, page);
    return { members: rows.map(serializeMember), total, page: page.page, per_page: page.perPage };
}
export async function listBusinessInvitations(ctx, businessId) {
    const rows = await listPendingInvitations(ctx.db, businessId);
    return {
        invitations: rows.map(serializeInvitation),
        total: rows.length,
        page: 1,
        per_page: Math.max(rows.length, 1),
    };
}
/** A single-use link valid for 7 days; mailed when SMTP is set, and returned this once either way. */
export async function inviteMember(ctx, principal, businessId, input) {
    const token = generateSecret('icmpi');
    const email = input.email.trim();
    const invitation = await insertInvitation(ctx.db, {
        businessId,
        email,
        role: input.role,
        tokenHash: hashSecret(token),
        invitedBy: principal.role !== 'business' && principal.account ? principal.account.id : null,
        expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
    });
    await recordAudit(ctx.db, actorOf(principal), {
        businessId,
        action: 'create',
        entityType: 'invitation',
        entityId: invitation.invitationId,
        before: null,
        after: { email, role: input.role, expires_at: invitation.expiresAt.toISOString() },
    });
    const url = `${ctx.config.publicUrl}/invitations/${token}`;
    const mailed = await ctx.mailer
        .send({
        to: email,
        subject: 'You are invited to ICMP',
        text: `You are invited to join a business on ICMP as ${input.role}.\n\nAccept within 7 days: ${url}`,
        link: url,
    })
        .catch(() => false);
    return {
        invitation_id: invitation.invitationId,
        invitation_url: url,
        email,
        role: input.role,
        expires_at: invitation.expiresAt.toISOString(),
        mailed,
    };
}
export async function revokeBusinessInvitation(ctx, principal, businessId, invitationId) {
    const row = await revokeInvitation(ctx.db, businessId, invitationId);
    if (!row)
        throw notFound('Invitation');
    await recordAudit(ctx.db, actorOf(principal), {
        businessId,
        action: 'revoke',
        entityType: 'invitation',
        entityId: invitationId,
        before: { email: row.email, role: row.role },
        after: null,
    });
}
const lastOwner = () => conflict('A business keeps at least one owner: make someone else owner first', {
    reason: 'last_owner',
});
export async function changeMemberRole(ctx, principal, businessId, memberId, role) {
    const updated = await ctx.db.transaction(async (tx) => {
        const owners = await lockOwners(tx, businessId);
        const current = await findMember(tx, businessId, memberId);
        if (!current)
            throw notFound('Member');
        if (current.role === 'owner' && role !== 'owner' && owners.length <= 1)
            throw lastOwner();
        await updateMemberRole(tx, businessId, memberId, role);
        await recordAudit(tx, actorOf(principal), {
            businessId,
            action: 'update',
            entityType: 'member',
            entityId: memberId,
            before: { email: current.email, role: current.role },
            after: { email: current.email, role },
        });
        return { ...current, role };
    });
    return serializeMember(updated);
}
export async function removeMember(ctx, principal, businessId, memberId) {
    const announce = await ctx.db.transaction(async (tx) => {
        const owners = await lockOwners(tx, businessId);
        const current = await findMember(tx, businessId, memberId);
        if (!current)
            throw notFound('Member');
        if (current.role === 'owner' && owners.length <= 1)
            throw lastOwner();
        await deleteMember(tx, businessId, memberId);
        const unassigned = await unassignLeavingMember(ctx, tx, businessId, current.accountId);
        await recordAudit(tx, actorOf(principal), {
            businessId,
            action: 'delete',
            entityType: 'member',
            entityId: memberId,
            before: { email: current.email, role: current.role },
            after: null,
        });
        return unassigned;
    });
    announce();
}
/** Who invites to what; 404 for an unknown, used, revoked or expired token. */
export async function describeInvitation(ctx, token) {
    const found = await findOpenInvitation(ctx.db, hashSecret(token));
    if (!found)
        throw notFound('Invitation');
    return {
        business_id: found.invitation.businessId,
        business_name: found.businessName,
        email: found.invitation.email,
        role: found.invitation.role,
        expires_at: found.invitation.expiresAt.toISOString(),
        invited_by: found.inviterName || found.inviterEmail || null,
    };
}
/**
 * Accepts with the signed-in account, or creates an account `{name, password}` for the invited e-mail
 * (an e-mail that already has an account must sign in first). The membership takes the invited role;
 * the browser gets a fresh session either way.
 */
export async function acceptInvitation(ctx, principal, client, token, input) {
    const found = await findOpenInvitation(ctx.db, hashSecret(token));
    if (!found)
        throw notFound('Invitation');
    const invitation = found.invitation;
    let account = principal && principal.role !== 'business' ? principal.account : null;
    if (!account) {
        if (!input.name || !input.password) {
            throw new AppError('VALIDATION_ERROR', 'name and password are required to create the account', {
                field_errors: {
                    ...(input.name ? {} : { name: 'is required' }),
                    ...(input.password ? {} : { password: 'is required' }),
                },
            });
        }
        if (await findAccountByEmail(ctx.db, invitation.email)) {
            throw conflict('An account with this e-mail exists: sign in, then accept the invitation');
        }
        account = toAccountInfo(await createAccount(ctx, { email: invitation.email, name: input.name, password: input.password }));
    }
    const accepted = account;
    await ctx.db.transaction(async (tx) => {
        if (!(await markInvitationAccepted(tx, invitation.invitationId)))
            throw notFound('Invitation');
        const membership = await insertMembership(tx, {
            businessId: invitation.businessId,
            accountId: accepted.id,
            role: invitation.role,
        });
        await recordAudit(tx, actorOf({ role: 'member', account: accepted, memberships: [], sessionId: null }), {
            businessId: invitation.businessId,
            action: 'create',
            entityType: 'member',
            entityId: membership?.membershipId ?? null,
            before: null,
            after: { email: accepted.email, role: invitation.role },
            details: { invitation_id: invitation.invitationId },
        });
    });
    // A privilege change: the session is rotated.
    return startAccountSession(ctx, client, accepted);
}
//# sourceMappingURL=members.service.js.map