import { sql } from 'drizzle-orm';
import { rowsOf } from '../../db/raw-rows.js';
/**
 * The work waiting in the database, installation-wide, in one statement on the two partial indexes
 * (`messages_queued_idx`, `messages_pending_idx`): cheap while the backlog is small, which is when it
 * is scraped most.
 */
export async function readBacklog(db) {
    const [row] = rowsOf(await db.execute(sql `
      select
        (select count(*) from messages where status = 'queued')::int as outbox_pending,
        coalesce(extract(epoch from now() - (select min(created_at) from messages where status = 'queued')), 0)::float8
          as outbox_oldest,
        (select count(*) from messages where status = 'pending')::int as inbound_pending,
        coalesce(extract(epoch from now() - (select min(created_at) from messages where status = 'pending')), 0)::float8
          as inbound_oldest
    `));
    return {
        outboxPending: Number(row?.outbox_pending ?? 0),
        outboxOldestAgeSeconds: Math.max(0, Number(row?.outbox_oldest ?? 0)),
        inboundPending: Number(row?.inbound_pending ?? 0),
        inboundOldestAgeSeconds: Math.max(0, Number(row?.inbound_oldest ?? 0)),
    };
}
//# sourceMappingURL=operations.repository.js.map