import { Type } from '@sinclair/typebox';
import { errorResponses, PageQuery, toPage, Uuid } from '../../lib/schemas.js';
import { principalOf, scopeBusinessId, setSessionCookie } from '../../plugins/auth.js';
import { clientInfo } from './auth.routes.js';
import { AcceptInvitationBody, CreatedInvitation, InvitationInfo, InvitationParams, InvitationTokenParams, InviteMemberBody, Me, Member, MemberList, MemberParams, PendingInvitationList, UpdateMemberBody, } from './auth.schemas.js';
import { describePrincipal } from './auth.service.js';
import { acceptInvitation, changeMemberRole, describeInvitation, inviteMember, listBusinessInvitations, listBusinessMembers, removeMember, revokeBusinessInvitation, } from './members.service.js';
const tags = ['members'];
const manage = { access: { permission: 'manage', business: 'param' } };
const BusinessParams = Type.Object({ business_id: Uuid });
export const memberRoutes = (ctx) => async (root) => {
    const app = root.withTypeProvider();
    app.get('/api/businesses/:business_id/members', {
        config: manage,
        schema: {
            tags,
            summary: 'The business’s team members and their roles',
            params: BusinessParams,
            querystring: Type.Object(PageQuery),
            response: { 200: MemberList, ...errorResponses(400, 401, 403) },
        },
    }, async (request) => listBusinessMembers(ctx, scopeBusinessId(principalOf(request), request.params.business_id), toPage(request.query)));
    app.post('/api/businesses/:business_id/members', {
        config: manage,
        schema: {
            tags,
            summary: 'Invite someone by e-mail (single-use link, 7 days; mailed when SMTP_URL is set)',
            params: BusinessParams,
            body: InviteMemberBody,
            response: { 201: CreatedInvitation, ...errorResponses(400, 401, 403) },
        },
    }, async (request, reply) => {
        const principal = principalOf(request);
        const businessId = scopeBusinessId(principal, request.params.business_id);
        return reply.status(201).send(await inviteMember(ctx, principal, businessId, request.body));
    });
    app.patch('/api/businesses/:business_id/members/:member_id', {
        config: manage,
        schema: {
            tags,
            summary: 'Change a member’s role (the last owner cannot be demoted: 409)',
            params: MemberParams,
            body: UpdateMemberBody,
            response: { 200: Member, ...errorResponses(400, 401, 403, 404, 409) },
        },
    }, async (request) => {
        const principal = principalOf(request);
        const businessId = scopeBusinessId(principal, request.params.business_id);
        return changeMemberRole(ctx, principal, businessId, request.params.member_id, request.body.role);
    });
    app.delete('/api/businesses/:business_id/members/:member_id', {
        config: manage,
        schema: {
            tags,
            summary: 'Remove a member (the last owner cannot be removed: 409)',
            params: MemberParams,
            response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) },
        },
    }, async (request, reply) => {
        const principal = principalOf(request);
        const businessId = scopeBusinessId(principal, request.params.business_id);
        await removeMember(ctx, principal, businessId, request.params.member_id);
        return reply.status(204).send(null);
    });
    app.get('/api/businesses/:business_id/invitations', {
        config: manage,
        schema: {
            tags,
            summary: 'Invitations not yet accepted, revoked or expired',
            params: BusinessParams,
            response: { 200: PendingInvitationList, ...errorResponses(400, 401, 403) },
        },
    }, async (request) => listBusinessInvitations(ctx, scopeBusinessId(principalOf(request), request.params.business_id)));
    app.delete('/api/businesses/:business_id/invitations/:invitation_id', {
        config: manage,
        schema: {
            tags,
            summary: 'Revoke an invitation: its link stops working',
            params: InvitationParams,
            response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
        },
    }, async (request, reply) => {
        const principal = principalOf(request);
        const businessId = scopeBusinessId(principal, request.params.business_id);
        await revokeBusinessInvitation(ctx, principal, businessId, request.params.invitation_id);
        return reply.status(204).send(null);
    });
    app.get('/api/invitations/:token', {
        config: { access: 'public' },
        schema: {
            tags,
            summary: 'Who invites to what (404 when used, revoked or expired)',
            params: InvitationTokenParams,
            response: { 200: InvitationInfo, ...errorResponses(400, 404) },
        },
    }, async (request) => describeInvitation(ctx, request.params.token));
    app.post('/api/invitations/:token/accept', {
        config: { access: 'optional' },
        schema: {
            tags,
            summary: 'Accept: with the signed-in account, or {name, password} for a new one; sets a fresh session',
            params: InvitationTokenParams,
            body: AcceptInvitationBody,
            response: { 200: Me, ...errorResponses(400, 404, 409) },
        },
    }, async (request, reply) => {
        const { principal, token } = await acceptInvitation(ctx, request.principal, clientInfo(request), request.params.token, request.body);
        setSessionCookie(request, reply, token, ctx.config.sessionMaxHours);
        return describePrincipal(principal);
    });
};
//# sourceMappingURL=members.routes.js.map