import { Type } from '@sinclair/typebox';
import { AppError } from '../../errors.js';
import { prepareDummyPassword } from '../../lib/passwords.js';
import { EmptyBody, errorResponses } from '../../lib/schemas.js';
import { clearSessionCookie, principalOf, SESSION_COOKIE, sessionToken, setSessionCookie, } from '../../plugins/auth.js';
import { Account, ChangePasswordBody, CreateAccountBody, LoginBody, Me, PasswordResetAccepted, PasswordResetBody, PasswordResetConfirmBody, SaveConfigBody, SaveConfigResponse, SessionList, SessionParams, SetupStatus, } from './auth.schemas.js';
import { changePassword, confirmPasswordReset, createAccount, describePrincipal, hasAccounts, isUuid, listOwnSessions, requestPasswordReset, revokeOtherSessions, revokeOwnSession, serializeAccount, signInWithKey, signInWithPassword, signOut, } from './auth.service.js';
const tags = ['auth'];
export const clientInfo = (request) => ({
    ip: request.ip,
    userAgent: String(request.headers['user-agent'] ?? ''),
    previousToken: sessionToken(request),
});
export const authRoutes = (ctx) => async (root) => {
    const app = root.withTypeProvider();
    const maxHours = ctx.config.sessionMaxHours;
    prepareDummyPassword();
    app.post('/api/save-config', {
        config: { access: 'public' },
        schema: {
            tags,
            summary: 'Sign in with a business key: starts a session (HttpOnly cookie naming it, never the key)',
            description: 'Never creates or changes a business or a key. camelCase businessId/businessApiKey are accepted.',
            body: SaveConfigBody,
            response: { 200: SaveConfigResponse, ...errorResponses(400, 401, 429) },
        },
    }, async (request, reply) => {
        const businessId = request.body.business_id ?? request.body.businessId;
        const apiKey = request.body.api_key ?? request.body.businessApiKey;
        const fieldErrors = {};
        if (!businessId)
            fieldErrors.business_id = 'is required';
        if (!apiKey)
            fieldErrors.api_key = 'is required';
        if (!businessId || !apiKey) {
            throw new AppError('VALIDATION_ERROR', 'business_id and api_key are required', {
                field_errors: fieldErrors,
            });
        }
        if (!isUuid(businessId)) {
            throw new AppError('VALIDATION_ERROR', 'business_id must be a UUID', {
                field_errors: { business_id: 'must be a UUID' },
            });
        }
        const { principal, token } = await signInWithKey(ctx, clientInfo(request), apiKey, businessId);
        setSessionCookie(request, reply, token, maxHours);
        const me = describePrincipal(principal);
        return {
            success: true,
            business_id: me.business_id,
            business_name: me.business_name,
        };
    });
    app.post('/api/auth/login', {
        config: { access: 'public' },
        schema: {
            tags,
            summary: 'Sign in with a key ({api_key}) or an account ({email, password}); sets the session cookie',
            description: 'An unknown e-mail and a wrong password get the same 401.',
            body: LoginBody,
            response: { 200: Me, ...errorResponses(400, 401, 429) },
        },
    }, async (request, reply) => {
        const { api_key: apiKey, email, password } = request.body;
        let signedIn;
        if (apiKey && !email && !password) {
            signedIn = await signInWithKey(ctx, clientInfo(request), apiKey);
        }
        else if (!apiKey && email && password) {
            signedIn = await signInWithPassword(ctx, clientInfo(request), email, password);
        }
        else {
            throw new AppError('VALIDATION_ERROR', 'Send either api_key, or email and password', {
                field_errors: apiKey
                    ? { api_key: 'not with email/password' }
                    : { email: 'is required', password: 'is required' },
            });
        }
        setSessionCookie(request, reply, signedIn.token, maxHours);
        return describePrincipal(signedIn.principal);
    });
    app.get('/api/auth/me', {
        config: { access: 'any' },
        schema: { tags, summary: 'Who the credential is', response: { 200: Me, ...errorResponses(401, 429) } },
    }, async (request) => describePrincipal(principalOf(request)));
    app.post('/api/auth/logout', {
        config: { access: 'public' },
        schema: {
            tags,
            summary: 'End this session at once (a copied cookie stops working too)',
            body: EmptyBody,
            response: { 204: Type.Null() },
        },
    }, async (request, reply) => {
        await signOut(ctx, request.cookies?.[SESSION_COOKIE]);
        clearSessionCookie(reply);
        return reply.status(204).send(null);
    });
    app.get('/api/auth/setup', {
        config: { access: 'public' },
        schema: {
            tags,
            summary: 'Whether any team account exists (first run)',
            response: { 200: SetupStatus },
        },
    }, async () => hasAccounts(ctx));
    app.post('/api/auth/accounts', {
        config: { access: 'master' },
        schema: {
            tags,
            summary: 'Create an account (master key or a platform admin); how the first admin is made',
            body: CreateAccountBody,
            response: { 201: Account, ...errorResponses(400, 401, 403, 409) },
        },
    }, async (request, reply) => reply.status(201).send(serializeAccount(await createAccount(ctx, request.body))));
    app.get('/api/auth/sessions', {
        config: { access: 'account' },
        schema: {
            tags,
            summary: 'The signed-in account’s sessions (device, address, last seen)',
            response: { 200: SessionList, ...errorResponses(401, 403) },
        },
    }, async (request) => listOwnSessions(ctx, principalOf(request)));
    app.delete('/api/auth/sessions', {
        config: { access: 'account' },
        schema: {
            tags,
            summary: 'End every other session of the account',
            response: { 204: Type.Null(), ...errorResponses(401, 403) },
        },
    }, async (request, reply) => {
        await revokeOtherSessions(ctx, principalOf(request));
        return reply.status(204).send(null);
    });
    app.delete('/api/auth/sessions/:session_id', {
        config: { access: 'account' },
        schema: {
            tags,
            summary: 'End one of the account’s sessions',
            params: SessionParams,
            response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
        },
    }, async (request, reply) => {
        await revokeOwnSession(ctx, principalOf(request), request.params.session_id);
        return reply.status(204).send(null);
    });
    app.post('/api/auth/password', {
        config: { access: 'account' },
        schema: {
            tags,
            summary: 'Change the password; every other session ends and this one gets a fresh cookie',
            body: ChangePasswordBody,
            response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 429) },
        },
    }, async (request, reply) => {
        const { token } = await changePassword(ctx, principalOf(request), clientInfo(request), request.body.current_password, request.body.new_password);
        setSessionCookie(request, reply, token, maxHours);
        return reply.status(204).send(null);
    });
    app.post('/api/auth/password-reset', {
        config: { access: 'public' },
        schema: {
            tags,
            summary: 'Mail a single-use reset link (1 h); the same answer whether or not the e-mail is known',
            body: PasswordResetBody,
            response: { 202: PasswordResetAccepted, ...errorResponses(400) },
        },
    }, async (request, reply) => {
        await requestPasswordReset(ctx, request.body.email);
        return reply.status(202).send({ accepted: true });
    });
    app.post('/api/auth/password-reset/confirm', {
        config: { access: 'public' },
        schema: {
            tags,
            summary: 'Set a new password with a reset token (works once); every session of the account ends',
            body: PasswordResetConfirmBody,
            response: { 204: Type.Null(), ...errorResponses(400, 429) },
        },
    }, async (request, reply) => {
        await confirmPasswordReset(ctx, clientInfo(request), request.body.token, request.body.new_password);
        return reply.status(204).send(null);
    });
};
//# sourceMappingURL=auth.routes.js.map