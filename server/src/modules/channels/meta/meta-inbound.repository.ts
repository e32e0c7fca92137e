import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../../db/client.js';
import { rowsOf } from '../../../db/raw-rows.js';
import type { InboundEvent } from './meta-types.js';

const IDENTITY_COLUMN = { whatsapp: sql.raw('whatsapp_id'), messenger: sql.raw('messenger_psid') } as const;

/** The customer's user (one per channel identity), created on first contact; WhatsApp names it. */
export async function upsertChannelCustomer(db: DbOrTx, businessId: string, event: InboundEvent) {
  const column = IDENTITY_COLUMN[event.channel];
  const name = (event.customerName ?? '').trim();
  const [first = '', ...rest] = name ? name.split(/\s+/) : [];
  const [row] = rowsOf(
    await db.execute(sql`
    INSERT INTO users (business_id, ${column}, first_name, last_name)
    VALUES (${businessId}, ${event.customerId}, ${first}, ${rest.join(' ')})
    ON CONFLICT (business_id, ${column}) DO UPDATE
       SET first_name = CASE WHEN EXCLUDED.first_name = '' THEN users.first_name ELSE EXCLUDED.first_name END,
           last_name = CASE WHEN EXCLUDED.first_name = '' THEN users.last_name ELSE EXCLUDED.last_name END
    RETURNING user_id, (xmax = 0) AS created`),
  );
  if (!row) throw new Error('customer upsert returned nothing');
  return { userId: String(row.user_id), created: row.created === true || row.created === 't' };
}

/** Serialises one customer's first contact across processes, until the transaction ends. */
export async function lockCustomer(tx: DbOrTx, key: string) {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${key}))`);
}

export async function isStored(db: DbOrTx, businessId: string, channel: string, externalMessageId: string) {
  const [row] = rowsOf(
    await db.execute(sql`
    SELECT 1 FROM messages
     WHERE business_id = ${businessId} AND channel = ${channel} AND external_message_id = ${externalMessageId}`),
  );
  return Boolean(row);
}

/** Names a channel customer from their platform profile, unless someone named them meanwhile. */
export async function nameCustomerIfNameless(
  db: DbOrTx,
  businessId: string,
  userId: string,
  name: { firstName: string; lastName: string },
) {
  await db.execute(sql`
    UPDATE users SET first_name = ${name.firstName}, last_name = ${name.lastName}, updated_at = now()
     WHERE user_id = ${userId} AND business_id = ${businessId} AND first_name = '' AND last_name = ''`);
}

/** Whom a typing indicator for the turn answering `messageId` goes to, and the message it names. */
export async function findTypingTarget(db: DbOrTx, businessId: string, messageId: string) {
  const [row] = rowsOf(
    await db.execute(sql`
    SELECT m.external_message_id, u.whatsapp_id, u.messenger_psid
      FROM messages m
      JOIN conversations c ON c.conversation_id = m.conversation_id
      JOIN users u ON u.user_id = c.user_id
     WHERE m.message_id = ${messageId} AND m.business_id = ${businessId}`),
  );
  return row
    ? {
        externalMessageId: (row.external_message_id as string | null) ?? null,
        whatsappId: (row.whatsapp_id as string | null) ?? null,
        messengerPsid: (row.messenger_psid as string | null) ?? null,
      }
    : null;
}
