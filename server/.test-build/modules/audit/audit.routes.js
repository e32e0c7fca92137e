import { Type } from '@sinclair/typebox';
import { errorResponses, Uuid } from '../../lib/schemas.js';
import { principalOf, scopeBusinessId } from '../../plugins/auth.js';
import { AuditEntryList, AuditLogQuery } from './audit.schemas.js';
import { listBusinessAuditLog } from './audit.service.js';
export const auditRoutes = (ctx) => async (root) => {
    const app = root.withTypeProvider();
    app.get('/api/businesses/:business_id/audit-log', {
        config: { access: { permission: 'edit', business: 'param' } },
        schema: {
            tags: ['audit'],
            summary: "A business's configuration changes, newest first, with who made them and before/after",
            params: Type.Object({ business_id: Uuid }),
            querystring: AuditLogQuery,
            response: { 200: AuditEntryList, ...errorResponses(400, 401, 403, 404) },
        },
    }, async (request) => listBusinessAuditLog(ctx, scopeBusinessId(principalOf(request), request.params.business_id), request.query));
};
//# sourceMappingURL=audit.routes.js.map