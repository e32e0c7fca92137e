import { and, asc, count, eq, gt, isNull, sql } from 'drizzle-orm';
import { accounts, businesses, invitations, memberships } from '../../db/schema.js';
/** The businesses an account belongs to, with its role and the business's name. */
export async function listAccountMemberships(db, accountId) {
    return db
        .select({
        businessId: memberships.businessId,
        businessName: businesses.businessName,
        role: memberships.role,
    })
        .from(memberships)
        .innerJoin(businesses, eq(businesses.businessId, memberships.businessId))
        .where(eq(memberships.accountId, accountId))
        .orderBy(asc(businesses.businessName));
}
const memberColumns = {
    membershipId: memberships.membershipId,
    accountId: memberships.accountId,
    role: memberships.role,
    createdAt: memberships.createdAt,
    email: accounts.email,
    name: accounts.name,
};
export async function listMembers(db, businessId, page) {
    const where = eq(memberships.businessId, businessId);
    const [rows, [total]] = await Promise.all([
        db
            .select(memberColumns)
            .from(memberships)
            .innerJoin(accounts, eq(accounts.accountId, memberships.accountId))
            .where(where)
            .orderBy(asc(memberships.createdAt), asc(memberships.membershipId))
            .limit(page.perPage)
            .offset(page.offset),
        db.select({ value: count() }).from(memberships).where(where),
    ]);
    return { rows, total: total?.value ?? 0 };
}
export async function findMember(db, businessId, membershipId) {
    const [row] = await db
        .select(memberColumns)
        .from(memberships)
        .innerJoin(accounts, eq(accounts.accountId, memberships.accountId))
        .where(and(eq(memberships.businessId, businessId), eq(memberships.membershipId, membershipId)))
        .limit(1);
    return row;
}
export async function findMembership(db, businessId, accountId) {
    const [row] = await db
        .select()
        .from(memberships)
        .where(and(eq(memberships.businessId, businessId), eq(memberships.accountId, accountId)))
        .limit(1);
    return row;
}
/** Owners of the business, locked until the transaction ends (the last-owner rule). */
export async function lockOwners(db, businessId) {
    return db
        .select({ membershipId: memberships.membershipId })
        .from(memberships)
        .where(and(eq(memberships.businessId, businessId), eq(memberships.role, 'owner')))
        .for('update');
}
export async function insertMembership(db, row) {
    const [membership] = await db
        .insert(memberships)
        .values(row)
        .onConflictDoNothing({ target: [memberships.businessId, memberships.accountId] })
        .returning();
    // Already a member: the existing role stays (an invitation never demotes, e.g. the last owner).
    return membership ?? (await findMembership(db, row.businessId, row.accountId));
}
export async function updateMemberRole(db, businessId, membershipId, role) {
    const [row] = await db
        .update(memberships)
        .set({ role, updatedAt: new Date() })
        .where(and(eq(memberships.businessId, businessId), eq(memberships.membershipId, membershipId)))
        .returning();
    return row;
}
export async function deleteMember(db, businessId, membershipId) {
    const [row] = await db
        .delete(memberships)
        .where(and(eq(memberships.businessId, businessId), eq(memberships.membershipId, membershipId)))
        .returning();
    return row;
}
export async function insertInvitation(db, row) {
    const [invitation] = await db.insert(invitations).values(row).returning();
    if (!invitation)
        throw new Error('invitation insert returned nothing');
    return invitation;
}
export async function listPendingInvitations(db, businessId) {
    return db
        .select()
        .from(invitations)
        .where(and(eq(invitations.businessId, businessId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, sql `now()`)))
        .orderBy(asc(invitations.createdAt));
}
/** An open invitation (not accepted, revoked or expired) by its token's hash, with the business name. */
export async function findOpenInvitation(db, tokenHash) {
    const [row] = await db
        .select({
        invitation: invitations,
        businessName: businesses.businessName,
        inviterName: accounts.name,
        inviterEmail: accounts.email,
    })
        .from(invitations)
        .innerJoin(businesses, eq(businesses.businessId, invitations.businessId))
        .leftJoin(accounts, eq(accounts.accountId, invitations.invitedBy))
        .where(and(eq(invitations.tokenHash, tokenHash), isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, sql `now()`)))
        .limit(1);
    return row;
}
/** Marks an open invitation accepted; undefined when someone else got there first. */
export async function markInvitationAccepted(db, invitationId) {
    const [row] = await db
        .update(invitations)
        .set({ acceptedAt: sql `now()` })
        .where(and(eq(invitations.invitationId, invitationId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, sql `now()`)))
        .returning();
    return row;
}
export async function revokeInvitation(db, businessId, invitationId) {
    const [row] = await db
        .update(invitations)
        .set({ revokedAt: sql `now()` })
        .where(and(eq(invitations.businessId, businessId), eq(invitations.invitationId, invitationId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
        .returning();
    return row;
}
//# sourceMappingURL=members.repository.js.map