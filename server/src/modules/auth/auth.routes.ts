import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { errorResponses, Uuid } from '../../lib/schemas.js';
import { BUSINESS_KEY_COOKIE, type Principal, principalOf } from '../../plugins/auth.js';
import { verifyAnyKey, verifyBusinessKey } from './auth.service.js';

const tags = ['auth'];
const SaveConfigBody = Type.Object(
  {
    business_id: Type.Optional(Type.String()),
    api_key: Type.Optional(Type.String()),
    businessId: Type.Optional(Type.String()),
    businessApiKey: Type.Optional(Type.String()),
    userId: Type.Optional(Type.String()),
  },
  { $id: 'SaveConfigBody' },
);
const SaveConfigResponse = Type.Object(
  { success: Type.Boolean(), business_id: Uuid, business_name: Type.String() },
  { $id: 'SaveConfigResponse' },
);
const LoginBody = Type.Object(
  { api_key: Type.String({ minLength: 1, maxLength: 500 }) },
  { $id: 'LoginBody' },
);
const LogoutResponse = Type.Object({ success: Type.Boolean() }, { $id: 'LogoutResponse' });
const Me = Type.Object(
  {
    role: Type.Union([Type.Literal('admin'), Type.Literal('business')]),
    business_id: Type.Optional(Uuid),
    business_name: Type.Optional(Type.String()),
  },
  { $id: 'Me' },
);

const describe = (principal: Principal) =>
  principal.role === 'admin'
    ? { role: 'admin' as const }
    : { role: 'business' as const, business_id: principal.businessId, business_name: principal.businessName };

function setKeyCookie(request: FastifyRequest, reply: FastifyReply, key: string) {
  reply.setCookie(BUSINESS_KEY_COOKIE, key, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    maxAge: 24 * 60 * 60,
    secure: request.protocol === 'https',
  });
}

export const authRoutes = (ctx: AppContext) => async (root: FastifyInstance) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/api/save-config',
    {
      schema: {
        tags,
        summary: 'Verify a business key and keep it in an HttpOnly cookie',
        description:
          'Never creates or changes a business or a key. camelCase businessId/businessApiKey are accepted.',
        body: SaveConfigBody,
        response: { 200: SaveConfigResponse, ...errorResponses(400, 401) },
      },
    },
    async (request, reply) => {
      const businessId = request.body.business_id ?? request.body.businessId;
      const apiKey = request.body.api_key ?? request.body.businessApiKey;
      const fieldErrors: Record<string, string> = {};
      if (!businessId) fieldErrors.business_id = 'is required';
      if (!apiKey) fieldErrors.api_key = 'is required';
      if (!businessId || !apiKey) {
        throw new AppError('VALIDATION_ERROR', 'business_id and api_key are required', {
          field_errors: fieldErrors,
        });
      }
      const business = await verifyBusinessKey(ctx, businessId, apiKey);
      setKeyCookie(request, reply, apiKey);
      return { success: true, business_id: business.businessId, business_name: business.businessName };
    },
  );

  app.post(
    '/api/auth/login',
    {
      schema: {
        tags,
        summary: 'Sign in with the master key or a business key (sets the HttpOnly cookie)',
        body: LoginBody,
        response: { 200: Me, ...errorResponses(400, 401) },
      },
    },
    async (request, reply) => {
      const principal = await verifyAnyKey(ctx, request.body.api_key);
      setKeyCookie(request, reply, request.body.api_key);
      return describe(principal);
    },
  );

  app.get(
    '/api/auth/me',
    {
      config: { auth: 'business' },
      schema: { tags, summary: 'Who the credential is', response: { 200: Me, ...errorResponses(401) } },
    },
    async (request) => describe(principalOf(request)),
  );

  app.post(
    '/api/auth/logout',
    {
      schema: {
        tags,
        summary: 'Clear the session cookie',
        response: { 200: LogoutResponse },
      },
    },
    async (_request, reply) => {
      reply.clearCookie(BUSINESS_KEY_COOKIE, { path: '/' });
      return { success: true };
    },
  );
};
