import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../../db/client.js';
import { IDENTITY_COLUMNS } from '../../../db/customer-by-identity.js';
import { messageByExternalId } from '../../../db/message-by-external-id.js';
import { fromJson, rowsOf } from '../../../db/raw-rows.js';
import type { InboundEvent } from './meta-types.js';

export interface InboundRow {
  content: string;
  metadata: Record<string, unknown> | null;
  /** `user` + `pending` for a customer's message; `agent` + `delivered` for a page's own (echo). */
  senderType: 'user' | 'agent';
  status: 'pending' | 'delivered';
  /** Keep the next sequence number for the reply (a customer's message is answered). */
  reserveReplySlot: boolean;
}

/**
 * The customer's user (one per channel identity; WhatsApp names it) and, on first contact, in the SAME
 * statement, their conversation in the entry stage and the message as `pending` (sequence 1, the next
 * number kept for the reply). The user, the conversation and the message commit together, so no other
 * delivery — in this or another process — ever sees the new user without its active conversation: a
 * concurrent second delivery waits on the user's unique key, finds the user existing, and takes the
 * returning customer's path into that conversation (or is refused there as a duplicate). A customer's
 * first message starts the conversation waiting (`waiting_since`), as `insertMessage` does later on.
 * `message` is null for a returning customer (nothing else was written).
 *
 * `lease` (a customer's message, whose turn runs next here): the new conversation is created leased to
 * `owner`, as no one else can see it before the commit, and `leased` answers what the lease statement
 * would read of it (its state, the customer's name, an empty history).
 */
export async function upsertChannelCustomer(
  db: DbOrTx,
  businessId: string,
  event: InboundEvent,
  firstContact: InboundRow & { entryStageId: string | null },
  lease?: { owner: string; seconds: number },
) {
  const column = IDENTITY_COLUMNS[event.channel];
  const { firstName: first, lastName } = customerName(event);
  const metadata = firstContact.metadata ? JSON.stringify(firstContact.metadata) : null;
  const [row] = rowsOf(
    await db.execute(sql`
    WITH customer AS (
      INSERT INTO users (business_id, ${column}, first_name, last_name)
      VALUES (${businessId}, ${event.customerId}, ${first}, ${lastName})
      -- An existing customer keeps their name here (a late redelivery carries an old profile name);
      -- the caller renames them once their new message is stored. The no-op update returns the row.
      ON CONFLICT (business_id, ${column}) DO UPDATE SET first_name = users.first_name
      RETURNING user_id, (xmax = 0) AS created
    ), conversation AS (
      INSERT INTO conversations (business_id, user_id, stage_id, channel, last_sequence, waiting_since,
                                 lease_owner, lease_until)
      SELECT ${businessId}, customer.user_id, ${firstContact.entryStageId}::uuid, ${event.channel},
             ${firstContact.reserveReplySlot ? 2 : 1},
             CASE WHEN ${firstContact.senderType}::text = 'user' THEN now() END,
             ${lease?.owner ?? null}::text,
             now() + make_interval(secs => ${lease?.seconds ?? null}::float8)
        FROM customer WHERE customer.created
      RETURNING conversation_id, stage_id, collected_data, lease_owner
    ), message AS (
      INSERT INTO messages (conversation_id, business_id, sender_type, message_content, sequence_number,
                            channel, external_message_id, status, metadata)
      SELECT conversation.conversation_id, ${businessId}, ${firstContact.senderType}, ${firstContact.content}, 1,
             ${event.channel}, ${event.externalMessageId}, ${firstContact.status}, ${metadata}::jsonb
        FROM conversation
      ON CONFLICT (business_id, channel, external_message_id) WHERE external_message_id IS NOT NULL DO NOTHING
      RETURNING message_id, conversation_id, sequence_number
    )
    SELECT customer.user_id, customer.created, message.message_id, message.conversation_id,
           message.sequence_number,
           CASE WHEN message.message_id IS NOT NULL AND conversation.lease_owner IS NOT NULL THEN
             json_build_object('business_id', ${businessId}::uuid, 'user_id', customer.user_id,
                               'stage_id', conversation.stage_id, 'channel', ${event.channel}::text,
                               'collected_data', conversation.collected_data,
                               'ai_stopped_at', NULL, 'ai_stopped_until', NULL,
                               'first_name', ${first}::text, 'last_name', ${lastName}::text,
                               'history', '[]'::json)
           END AS lease
      FROM customer LEFT JOIN message ON true LEFT JOIN conversation ON true`),
  );
  if (!row) throw new Error('customer upsert returned nothing');
  const created = row.created === true || row.created === 't';
  const leased = fromJson(row.lease as Record<string, unknown> | string | null);
  return {
    userId: String(row.user_id),
    created,
    ...(leased ? { leased } : {}),
    message: row.message_id
      ? {
          messageId: String(row.message_id),
          conversationId: String(row.conversation_id),
          sequenceNumber: Number(row.sequence_number),
        }
      : null,
  };
}

/** The name the channel gives the customer (WhatsApp's profile name), as users store it; '' for none. */
export function customerName(event: InboundEvent) {
  const name = (event.customerName ?? '').trim();
  const [firstName = '', ...rest] = name ? name.split(/\s+/) : [];
  return { firstName, lastName: rest.join(' ') };
}

/**
 * Names a channel customer from their platform profile: `changed` — WhatsApp's profile name, sent with
 * every message, when it differs from the stored one; `nameless` — Messenger's looked-up profile,
 * unless someone named them meanwhile.
 */
export async function nameCustomer(
  db: DbOrTx,
  businessId: string,
  userId: string,
  name: { firstName: string; lastName: string },
  when: 'changed' | 'nameless',
) {
  const condition =
    when === 'nameless'
      ? sql`first_name = '' AND last_name = ''`
      : sql`(first_name, last_name) IS DISTINCT FROM (${name.firstName}::text, ${name.lastName}::text)`;
  await db.execute(sql`
    UPDATE users SET first_name = ${name.firstName}, last_name = ${name.lastName}, updated_at = now()
     WHERE user_id = ${userId} AND business_id = ${businessId} AND ${condition}`);
}

/** Serialises one customer's first contact across processes, until the transaction ends. */
export async function lockCustomer(tx: DbOrTx, key: string) {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${key}))`);
}

export async function isStored(db: DbOrTx, businessId: string, channel: string, externalMessageId: string) {
  const [row] = rowsOf(
    await db.execute(sql`
    SELECT 1 WHERE EXISTS ${messageByExternalId(sql`${externalMessageId}::text`, sql`${businessId}::uuid`, sql`${channel}::text`)}`),
  );
  return Boolean(row);
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
