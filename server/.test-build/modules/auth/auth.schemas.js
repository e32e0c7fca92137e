import { Type } from '@sinclair/typebox';
import { ListResponse, Nullable, Timestamp, Uuid } from '../../lib/schemas.js';
export const MemberRoleSchema = Type.Union([Type.Literal('owner'), Type.Literal('editor'), Type.Literal('agent'), Type.Literal('viewer')], { description: 'owner: everything; editor: configuration; agent: conversations; viewer: read only' });
const Email = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' });
const Password = Type.String({ minLength: 1, maxLength: 200 });
export const SaveConfigBody = Type.Object({
    business_id: Type.Optional(Type.String()),
    api_key: Type.Optional(Type.String()),
    businessId: Type.Optional(Type.String()),
    businessApiKey: Type.Optional(Type.String()),
    userId: Type.Optional(Type.String()),
}, { $id: 'SaveConfigBody' });
export const SaveConfigResponse = Type.Object({ success: Type.Boolean(), business_id: Uuid, business_name: Type.String() }, { $id: 'SaveConfigResponse' });
export const LoginBody = Type.Object({
    api_key: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
    password: Type.Optional(Password),
}, {
    $id: 'LoginBody',
    additionalProperties: false,
    description: 'Either `{api_key}` (the master key or a business key) or `{email, password}` (an account)',
});
export const MembershipSummary = Type.Object({ business_id: Uuid, business_name: Type.String(), role: MemberRoleSchema }, { $id: 'MembershipSummary' });
export const AccountUser = Type.Object({ id: Uuid, email: Type.String(), name: Type.String(), is_admin: Type.Boolean() }, { $id: 'AccountUser' });
export const Me = Type.Object({
    role: Type.Union([Type.Literal('admin'), Type.Literal('business'), Type.Literal('member')], {
        description: 'admin: the master key; business: a business API key; member: a team account',
    }),
    business_id: Type.Optional(Uuid),
    business_name: Type.Optional(Type.String()),
    scopes: Type.Optional(Type.Array(Type.String(), { description: 'a business key’s scopes' })),
    user: Type.Optional(AccountUser),
    memberships: Type.Optional(Type.Array(MembershipSummary)),
}, { $id: 'Me' });
export const SetupStatus = Type.Object({ has_accounts: Type.Boolean({ description: 'false: no team account exists yet (first run)' }) }, { $id: 'SetupStatus' });
export const CreateAccountBody = Type.Object({
    email: Email,
    password: Password,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    is_admin: Type.Optional(Type.Boolean()),
}, { $id: 'CreateAccountBody', additionalProperties: false });
export const Account = Type.Object({ id: Uuid, email: Type.String(), name: Type.String(), is_admin: Type.Boolean(), created_at: Timestamp }, { $id: 'Account' });
export const Session = Type.Object({
    session_id: Uuid,
    current: Type.Boolean({ description: 'the session this request was made with' }),
    device: Type.String({ description: 'the browser’s User-Agent at sign-in' }),
    ip_address: Type.String(),
    created_at: Timestamp,
    last_seen_at: Timestamp,
    expires_at: Timestamp,
}, { $id: 'Session' });
export const SessionList = ListResponse('sessions', Session);
export const SessionParams = Type.Object({ session_id: Uuid });
export const ChangePasswordBody = Type.Object({ current_password: Password, new_password: Password }, { $id: 'ChangePasswordBody', additionalProperties: false });
export const PasswordResetBody = Type.Object({ email: Type.String({ minLength: 1, maxLength: 254 }) }, {
    $id: 'PasswordResetBody',
    additionalProperties: false,
});
export const PasswordResetAccepted = Type.Object({ accepted: Type.Boolean({ description: 'always true, whether or not the e-mail has an account' }) }, { $id: 'PasswordResetAccepted' });
export const PasswordResetConfirmBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }), new_password: Password }, { $id: 'PasswordResetConfirmBody', additionalProperties: false });
export const Member = Type.Object({
    member_id: Uuid,
    account_id: Uuid,
    email: Type.String(),
    name: Type.String(),
    role: MemberRoleSchema,
    created_at: Timestamp,
}, { $id: 'Member' });
export const MemberList = ListResponse('members', Member);
export const MemberParams = Type.Object({ business_id: Uuid, member_id: Uuid });
export const InviteMemberBody = Type.Object({ email: Email, role: MemberRoleSchema }, { $id: 'InviteMemberBody', additionalProperties: false });
export const CreatedInvitation = Type.Object({
    invitation_id: Uuid,
    invitation_url: Type.String({ description: '{PUBLIC_URL}/invitations/{token}; shown this once' }),
    email: Type.String(),
    role: MemberRoleSchema,
    expires_at: Timestamp,
    mailed: Type.Boolean({ description: 'whether it was sent by e-mail (SMTP_URL set)' }),
}, { $id: 'CreatedInvitation' });
export const PendingInvitation = Type.Object({
    invitation_id: Uuid,
    email: Type.String(),
    role: MemberRoleSchema,
    created_at: Timestamp,
    expires_at: Timestamp,
}, { $id: 'PendingInvitation' });
export const PendingInvitationList = ListResponse('invitations', PendingInvitation);
export const InvitationParams = Type.Object({ business_id: Uuid, invitation_id: Uuid });
export const UpdateMemberBody = Type.Object({ role: MemberRoleSchema }, { $id: 'UpdateMemberBody', additionalProperties: false });
export const InvitationTokenParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) });
export const InvitationInfo = Type.Object({
    business_id: Uuid,
    business_name: Type.String(),
    email: Type.String(),
    role: MemberRoleSchema,
    expires_at: Timestamp,
    invited_by: Nullable(Type.String({ description: "the inviting account's name; null when a key or the master key invited" })),
}, { $id: 'InvitationInfo' });
export const AcceptInvitationBody = Type.Object({
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    password: Type.Optional(Password),
}, {
    $id: 'AcceptInvitationBody',
    additionalProperties: false,
    description: 'A new account: `{name, password}`; an existing account: sign in first and send `{}`',
});
//# sourceMappingURL=auth.schemas.js.map