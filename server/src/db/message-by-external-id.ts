import { type SQL, sql } from 'drizzle-orm';

/**
 * The messages a channel names by its own ids (a WhatsApp wamid, a Messenger mid, an API client's
 * idempotency key) in a business, as a subquery of their `message_id`s. They are found by the id alone
 * (the id-first unique index, migration 0032), business and channel checked after: MATERIALIZED keeps
 * those checks out of the lookup, so a business the statistics think has a row or two is not walked by
 * an index that starts with business_id (each looks as cheap as the id's then; customer-by-identity.ts).
 * `externalIds`: an array expression; the planner probes the index once per element. An empty array
 * reads nothing: `= ANY('{}')` alone is a constant false, which PostgreSQL takes to imply any partial
 * index's predicate, and it walked the outbox's (`messages_queued_idx`) to filter every row out.
 */
export function messagesByExternalIds(externalIds: SQL, businessId: SQL, channel: SQL) {
  return sql`(WITH by_external_id AS MATERIALIZED (
                 SELECT message_id, business_id, channel FROM messages
                  WHERE external_message_id = ANY(${externalIds}) AND cardinality(${externalIds}) > 0)
               SELECT message_id FROM by_external_id
                WHERE business_id = ${businessId} AND channel = ${channel})`;
}

/** `messagesByExternalIds` for one id: at most one message (the index is unique). */
export function messageByExternalId(externalId: SQL, businessId: SQL, channel: SQL) {
  return messagesByExternalIds(sql`ARRAY[${externalId}]::text[]`, businessId, channel);
}
