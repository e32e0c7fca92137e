import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { errorResponses, Uuid } from '../../lib/schemas.js';
import { principalOf, scopeBusinessId } from '../../plugins/auth.js';
import { AuditEntryList, AuditLogQuery } from './audit.schemas.js';
import { listBusinessAuditLog } from './audit.service.js';

export const auditRoutes = (ctx: AppContext) => async (root: FastifyInstance) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/api/businesses/:business_id/audit-log',
    {
      config: { access: { permission: 'edit', business: 'param' } },
      schema: {
        tags: ['audit'],
        summary: "A business's configuration changes, newest first, with who made them and before/after",
        params: Type.Object({ business_id: Uuid }),
        querystring: AuditLogQuery,
        response: { 200: AuditEntryList, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      listBusinessAuditLog(
        ctx,
        scopeBusinessId(principalOf(request), request.params.business_id),
        request.query,
      ),
  );
};
