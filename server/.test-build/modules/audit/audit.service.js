import { invalid, notFound } from '../../errors.js';
import { toPage } from '../../lib/schemas.js';
import { getBusinessConfig } from '../config-cache/index.js';
import { listAuditLogs } from './audit.repository.js';
export function serializeAuditEntry(row) {
    return {
        id: row.auditLogId,
        at: row.createdAt.toISOString(),
        actor: { type: row.actorType, id: row.actorId, name: row.actorName },
        action: row.action,
        entity_type: row.entityType,
        entity_id: row.entityId,
        before: row.before ?? null,
        after: row.after ?? null,
        details: row.details ?? null,
    };
}
const ACTOR_TYPES = new Set(['account', 'api_key', 'master']);
function instant(field, value) {
    if (value === undefined)
        return undefined;
    const date = new Date(value);
    if (Number.isNaN(date.getTime()))
        throw invalid(`Invalid ${field}`, { [field]: 'must be a date-time' });
    return date;
}
/** The query's filters: `actor` is an actor type or an actor id; `from` must not be after `to`. */
export function auditFilters(query) {
    const from = instant('from', query.from);
    const to = instant('to', query.to);
    if (from && to && from.getTime() > to.getTime()) {
        throw invalid('from must not be after to', { from: 'must not be after to' });
    }
    const actor = query.actor;
    return {
        actorType: actor !== undefined && ACTOR_TYPES.has(actor) ? actor : undefined,
        actorId: actor !== undefined && !ACTOR_TYPES.has(actor) ? actor.toLowerCase() : undefined,
        entityType: query.entity_type,
        from,
        // Entries show their time to the millisecond and are stored to the microsecond: `to` includes
        // its whole millisecond, so `to=<an entry's at>` includes that entry.
        until: to && new Date(to.getTime() + 1),
    };
}
export async function listBusinessAuditLog(ctx, businessId, query) {
    const filters = auditFilters(query);
    const page = toPage(query);
    // The master key may name any id: one that names no business is a 404, not an empty log.
    if (!(await getBusinessConfig(ctx, businessId)))
        throw notFound('Business');
    const { rows, total } = await listAuditLogs(ctx.db, businessId, filters, page);
    return { entries: rows.map(serializeAuditEntry), total, page: page.page, per_page: page.perPage };
}
//# sourceMappingURL=audit.service.js.map