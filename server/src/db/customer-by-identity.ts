import { type SQL, sql } from 'drizzle-orm';

/** How a channel knows its customer: the website widget's visitor id, a WhatsApp id, a Messenger PSID. */
export const IDENTITY_COLUMNS = {
  webVisitor: sql.raw('web_visitor_id'),
  whatsapp: sql.raw('whatsapp_id'),
  messenger: sql.raw('messenger_psid'),
} as const;
export type IdentityKind = keyof typeof IDENTITY_COLUMNS;

/**
 * The user of a channel identity in a business, as a scalar subquery: found by the identity alone (the
 * identity-first unique index, migration 0029), the business checked after — MATERIALIZED keeps that
 * check out of the lookup, so a business the statistics think has a row or two is not walked by an
 * index that starts with business_id (each looks as good as the identity's then).
 */
export function customerByIdentity(kind: IdentityKind, identity: SQL, businessId: SQL) {
  return sql`(WITH by_identity AS MATERIALIZED (
                 SELECT user_id, business_id FROM users WHERE ${IDENTITY_COLUMNS[kind]} = ${identity})
               SELECT user_id FROM by_identity WHERE business_id = ${businessId})`;
}
