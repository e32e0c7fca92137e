import type { AppContext } from '../../context.js';
import type { AuditActorType } from '../../db/schema.js';
import { invalid, notFound } from '../../errors.js';
import { type Page, toPage } from '../../lib/schemas.js';
import { getBusinessConfig } from '../config-cache/index.js';
import { type AuditLogFilters, type AuditLogRow, listAuditLogs } from './audit.repository.js';
import type { AuditEntry, AuditLogQuery } from './audit.schemas.js';

export function serializeAuditEntry(row: AuditLogRow): AuditEntry {
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

const ACTOR_TYPES: ReadonlySet<string> = new Set<AuditActorType>(['account', 'api_key', 'master']);

function instant(field: 'from' | 'to', value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw invalid(`Invalid ${field}`, { [field]: 'must be a date-time' });
  return date;
}

/** The query's filters: `actor` is an actor type or an actor id; `from` must not be after `to`. */
export function auditFilters(query: AuditLogQuery): AuditLogFilters {
  const from = instant('from', query.from);
  const to = instant('to', query.to);
  if (from && to && from.getTime() > to.getTime()) {
    throw invalid('from must not be after to', { from: 'must not be after to' });
  }
  const actor = query.actor;
  return {
    actorType: actor !== undefined && ACTOR_TYPES.has(actor) ? (actor as AuditActorType) : undefined,
    actorId: actor !== undefined && !ACTOR_TYPES.has(actor) ? actor.toLowerCase() : undefined,
    entityType: query.entity_type,
    from,
    // Entries show their time to the millisecond and are stored to the microsecond: `to` includes
    // its whole millisecond, so `to=<an entry's at>` includes that entry.
    until: to && new Date(to.getTime() + 1),
  };
}

export async function listBusinessAuditLog(ctx: AppContext, businessId: string, query: AuditLogQuery) {
  const filters = auditFilters(query);
  const page: Page = toPage(query);
  // The master key may name any id: one that names no business is a 404, not an empty log.
  if (!(await getBusinessConfig(ctx, businessId))) throw notFound('Business');
  const { rows, total } = await listAuditLogs(ctx.db, businessId, filters, page);
  return { entries: rows.map(serializeAuditEntry), total, page: page.page, per_page: page.perPage };
}
