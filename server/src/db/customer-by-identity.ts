import { type SQL, sql } from 'drizzle-orm';

/**
 * The user of a channel identity in a business, as a scalar subquery: found by the identity alone (the
 * identity-first unique index, migration 0029), the business checked after — MATERIALIZED keeps that
 * check out of the lookup, so a business the statistics think has a row or two is not walked by an
 * index that starts with business_id (each looks as good as the identity's then).
 */
export function customerByIdentity(column: SQL, identity: SQL, businessId: SQL) {
  return sql`(WITH by_identity AS MATERIALIZED (
                 SELECT user_id, business_id FROM users WHERE ${column} = ${identity})
               SELECT user_id FROM by_identity WHERE business_id = ${businessId})`;
}
