import { randomUUID } from 'node:crypto';
import { type SQL, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../../db/client.js';
import { customerByIdentity } from '../../../db/customer-by-identity.js';
import { messagesByExternalIds } from '../../../db/message-by-external-id.js';
import { rowsOf, toDate } from '../../../db/raw-rows.js';
import { type MetaChannel, REFERENCE, type StatusEvent } from './meta-types.js';

export interface ClaimedDelivery {
  messageId: string;
  businessId: string;
  conversationId: string;
  channel: MetaChannel;
  content: string;
  attempts: number;
  partsSent: number;
  /** A part an earlier attempt left in flight (it may have reached Meta), and since when. */
  inFlightPart: number | null;
  inFlightSince: Date | null;
  /** The part this claim marked in flight (`partsSent`), or null when one already was. */
  markedInFlight: number | null;
  /** wa_id or PSID of the conversation's customer. */
  recipient: string | null;
}

/**
 * A recursive CTE `name`: the earliest queued message of each conversation, in conversation order, from
 * the first conversation `from` admits while `within` holds — one probe of
 * messages_queued_conversation_idx per conversation (a skip scan), evaluated only as far as it is read.
 */
const queuedHeads = (name: 'from_pivot' | 'up_to_pivot', from: SQL, within: SQL) => sql`${sql.raw(name)} AS (
      (SELECT message_id, conversation_id FROM messages
        WHERE status = 'queued' AND ${from} AND ${within}
        ORDER BY conversation_id, sequence_number LIMIT 1)
      UNION ALL
      SELECT next.message_id, next.conversation_id
        FROM ${sql.raw(name)} h, LATERAL (SELECT message_id, conversation_id FROM messages
                                     WHERE status = 'queued' AND conversation_id > h.conversation_id AND ${within}
                                     ORDER BY conversation_id, sequence_number LIMIT 1) next
    )`;

/**
 * Claims up to `limit` due outbound messages in ONE statement. The queued message row is the outbox
 * entry: `FOR UPDATE OF m SKIP LOCKED` lets several processes claim side by side without waiting on
 * each other, and the lease written into `message_deliveries` keeps a claim for the duration of the
 * send (the row lock only lasts the statement). The ON CONFLICT … WHERE re-checks the lease on the
 * latest committed row, so two claimers racing on one message cannot both win. Only the earliest
 * queued message of a conversation is due, so replies leave in conversation order. The candidates are
 * those heads, one index probe per conversation with a reply queued (a skip scan of
 * messages_queued_conversation_idx), taken in conversation order from a random point and wrapping
 * around, and the scan stops at `limit` due ones: a backlog left by a Graph outage (replies waiting out
 * their backoff) costs a claim its conversations, not its replies, and once the outage is over a
 * claim reads about as many heads as it takes. Between conversations the order is random, not oldest
 * first: a sorted order would have to visit every head on every claim.
 *
 * The claim also marks the next part in flight (what `markInFlight` does before each later part),
 * unless an earlier attempt left one so: a message's first send then costs no statement of its own.
 * A crash after the claim leaves that part marked although it may not have been sent, so the next
 * claim waits out the reconciliation grace before sending it (exactly once, not at once).
 */
export async function claimDueDeliveries(
  db: DbOrTx,
  owner: string,
  leaseSeconds: number,
  limit: number,
): Promise<ClaimedDelivery[]> {
  const pivot = randomUUID();
  const rows = rowsOf(
    await db.execute(sql`
    WITH RECURSIVE ${queuedHeads('from_pivot', sql`conversation_id >= ${pivot}::uuid`, sql`true`)},
    ${queuedHeads('up_to_pivot', sql`true`, sql`conversation_id < ${pivot}::uuid`)},
    head AS (
      SELECT message_id, conversation_id FROM from_pivot
      UNION ALL
      SELECT message_id, conversation_id FROM up_to_pivot
    ), due AS (
      -- Per head, so that the scan stops at the limit and each head is one index probe (by key, or by
      -- conversation in the queued index: with the conversation named, either is one probe).
      SELECT candidate.* FROM head
       CROSS JOIN LATERAL (
         SELECT m.message_id, m.business_id, m.conversation_id
           FROM messages m
           LEFT JOIN message_deliveries d ON d.message_id = m.message_id
          WHERE m.message_id = head.message_id AND m.conversation_id = head.conversation_id
            AND m.status = 'queued' AND m.channel IN ('whatsapp', 'messenger')
            AND (d.message_id IS NULL OR (d.next_attempt_at <= now()
                 AND (d.lease_until IS NULL OR d.lease_until < now())))
            FOR UPDATE OF m SKIP LOCKED
       ) candidate
       LIMIT ${limit}
    ), claimed AS (
      INSERT INTO message_deliveries (message_id, business_id, conversation_id, attempts, lease_owner, lease_until,
                                      in_flight_part, in_flight_since)
      SELECT message_id, business_id, conversation_id, 1, ${owner}, now() + make_interval(secs => ${leaseSeconds}),
             0, now()
        FROM due
      ON CONFLICT (message_id) DO UPDATE
         SET attempts = message_deliveries.attempts + 1, lease_owner = EXCLUDED.lease_owner,
             lease_until = EXCLUDED.lease_until, updated_at = now(),
             in_flight_part = coalesce(message_deliveries.in_flight_part, message_deliveries.parts_sent),
             in_flight_since = coalesce(message_deliveries.in_flight_since, now())
       WHERE message_deliveries.next_attempt_at <= now()
         AND (message_deliveries.lease_until IS NULL OR message_deliveries.lease_until < now())
      RETURNING *
    )
    -- now() is this transaction's start: an in_flight_since equal to it was written by this claim.
    SELECT claimed.message_id, claimed.business_id, claimed.conversation_id, claimed.attempts,
           claimed.parts_sent, claimed.in_flight_part, claimed.in_flight_since,
           claimed.in_flight_since = now() AS marked_now,
           m.channel, m.message_content,
           CASE WHEN m.channel = 'whatsapp' THEN u.whatsapp_id ELSE u.messenger_psid END AS recipient
      FROM claimed
      JOIN messages m ON m.message_id = claimed.message_id
      JOIN conversations c ON c.conversation_id = claimed.conversation_id
      JOIN users u ON u.user_id = c.user_id`),
  );
  return rows.map((row) => {
    const marked = row.marked_now === true;
    const part = row.in_flight_part == null ? null : Number(row.in_flight_part);
    return {
      messageId: String(row.message_id),
      businessId: String(row.business_id),
      conversationId: String(row.conversation_id),
      channel: row.channel as MetaChannel,
      content: String(row.message_content),
      attempts: Number(row.attempts),
      partsSent: Number(row.parts_sent),
      inFlightPart: marked ? null : part,
      inFlightSince: marked || row.in_flight_since == null ? null : toDate(row.in_flight_since),
      markedInFlight: marked ? part : null,
      recipient: (row.recipient as string | null) ?? null,
    };
  });
}

/**
 * Written just before a later part is handed to the Graph API (and the lease extended to cover the call;
 * the claim marks the first part it sends):
 * a crash from here until `recordPartSent` leaves the part marked as in flight. False when this
 * worker lost its claim.
 */
export async function markInFlight(
  db: DbOrTx,
  messageId: string,
  owner: string,
  part: number,
  leaseSeconds: number,
) {
  const rows = rowsOf(
    await db.execute(sql`
    UPDATE message_deliveries
       SET in_flight_part = ${part}, in_flight_since = now(),
           lease_until = now() + make_interval(secs => ${leaseSeconds}), updated_at = now()
     WHERE message_id = ${messageId} AND lease_owner = ${owner} AND parts_sent = ${part}
    RETURNING message_id`),
  );
  return rows.length > 0;
}

/**
 * Records part `part` as sent with its Graph message id, in ONE statement; the last part also moves
 * the message from `queued` to `sent` (its first Graph id becomes its external id, the lookup key of
 * status webhooks; a later part's id is keyed in `message_delivery_parts`). A no-op when the part was
 * already recorded (a status webhook or echo carrying our reference got there first). Returns the
 * conversation when the message became `sent`.
 *
 * A message waiting out the reconciliation grace (or a retry delay) becomes due again at once: the
 * part it was unsure of is now known to be sent, so its next parts — and the conversation's later
 * replies behind it — need not wait any longer. While the sending worker holds the claim this changes
 * nothing (a claim needs an expired lease too).
 *
 * `followed`: the message became `sent` and a later one of its conversation is queued behind it (due
 * now, for the worker's next claim).
 */
export async function recordPartSent(
  db: DbOrTx,
  input: { messageId: string; part: number; graphMessageId: string; last: boolean },
): Promise<{
  recorded: boolean;
  completed: { conversationId: string; businessId: string } | null;
  followed: boolean;
}> {
  const [row] = rowsOf(
    await db.execute(sql`
    WITH d AS (
      UPDATE message_deliveries
         SET parts_sent = ${input.part + 1},
             graph_message_ids = array_append(graph_message_ids, ${input.graphMessageId}::text),
             in_flight_part = NULL, in_flight_since = NULL, last_error = NULL, updated_at = now(),
             next_attempt_at = least(next_attempt_at, now()),
             lease_owner = CASE WHEN ${input.last}::boolean THEN NULL ELSE lease_owner END,
             lease_until = CASE WHEN ${input.last}::boolean THEN NULL ELSE lease_until END
       WHERE message_id = ${input.messageId} AND parts_sent = ${input.part}
      RETURNING graph_message_ids, business_id
    ), later_part AS (
      INSERT INTO message_delivery_parts (graph_message_id, business_id, message_id, part)
      SELECT ${input.graphMessageId}::text, d.business_id, ${input.messageId}::uuid, ${input.part}::int
        FROM d WHERE ${input.part}::int > 0
      ON CONFLICT DO NOTHING
    ), m AS (
      UPDATE messages
         SET status = 'sent',
             external_message_id = coalesce(external_message_id, d.graph_message_ids[1]),
             metadata = (coalesce(metadata, '{}'::jsonb) - 'delivery_error')
                        || jsonb_build_object('graph_message_ids', to_jsonb(d.graph_message_ids))
        FROM d
       WHERE message_id = ${input.messageId} AND status = 'queued' AND ${input.last}::boolean
      RETURNING conversation_id, messages.business_id, sequence_number
    )
    SELECT (SELECT count(*) FROM d) AS recorded, m.conversation_id, m.business_id,
           EXISTS (SELECT 1 FROM messages q
                    WHERE q.conversation_id = m.conversation_id AND q.sequence_number > m.sequence_number
                      AND q.status = 'queued') AS followed
      FROM (SELECT 1) one LEFT JOIN m ON true`),
  );
  return {
    recorded: Number(row?.recorded ?? 0) > 0,
    completed: row?.conversation_id
      ? { conversationId: String(row.conversation_id), businessId: String(row.business_id) }
      : null,
    followed: row?.followed === true,
  };
}

/**
 * A transient failure: release the claim and try again after `delayMs`. `ambiguous` (the request may
 * have reached Meta) keeps the in-flight mark, so the next claim waits out the reconciliation grace.
 */
export async function scheduleRetry(
  db: DbOrTx,
  messageId: string,
  owner: string,
  delayMs: number,
  error: string,
  ambiguous = false,
) {
  await db.execute(sql`
    UPDATE message_deliveries
       SET in_flight_part = CASE WHEN ${ambiguous}::boolean THEN in_flight_part END,
           in_flight_since = CASE WHEN ${ambiguous}::boolean THEN in_flight_since END,
           last_error = ${error},
           next_attempt_at = now() + make_interval(secs => ${delayMs / 1000}::double precision),
           lease_owner = NULL, lease_until = NULL, updated_at = now()
     WHERE message_id = ${messageId} AND lease_owner = ${owner}`);
}

/** An ambiguous part (crash mid-send): look again at `until`, leaving the in-flight mark in place. */
export async function deferDelivery(db: DbOrTx, messageId: string, owner: string, until: Date) {
  await db.execute(sql`
    UPDATE message_deliveries
       SET next_attempt_at = ${until.toISOString()}::timestamptz, lease_owner = NULL, lease_until = NULL,
           updated_at = now()
     WHERE message_id = ${messageId} AND lease_owner = ${owner}`);
}

/** A permanent failure: the message becomes `failed` with the reason the transcript shows. */
export async function failDelivery(db: DbOrTx, messageId: string, error: string) {
  const [row] = rowsOf(
    await db.execute(sql`
    WITH d AS (
      UPDATE message_deliveries
         SET in_flight_part = NULL, in_flight_since = NULL, last_error = ${error},
             lease_owner = NULL, lease_until = NULL, updated_at = now()
       WHERE message_id = ${messageId}
    )
    UPDATE messages
       SET status = 'failed', metadata = coalesce(metadata, '{}'::jsonb) || jsonb_build_object('delivery_error', ${error}::text)
     WHERE message_id = ${messageId} AND status = 'queued'
    RETURNING conversation_id, business_id`),
  );
  return row ? { conversationId: String(row.conversation_id), businessId: String(row.business_id) } : null;
}

/** What a reference (`<message id>:<part>`) from a status webhook or echo points at, if still queued. */
export async function findQueuedDelivery(db: DbOrTx, businessId: string, messageId: string) {
  const [row] = rowsOf(
    await db.execute(sql`
    SELECT m.message_content, m.channel, coalesce(d.parts_sent, 0) AS parts_sent
      FROM messages m LEFT JOIN message_deliveries d ON d.message_id = m.message_id
     WHERE m.message_id = ${messageId} AND m.business_id = ${businessId} AND m.status = 'queued'`),
  );
  return row
    ? {
        content: String(row.message_content),
        channel: row.channel as MetaChannel,
        partsSent: Number(row.parts_sent),
      }
    : null;
}

/**
 * Moves our outbound messages named by a status event forward (sent → delivered → read; failed from
 * any of those), by Graph message id or, for a Messenger watermark, by time; returns those changed.
 * Each way of naming a message is an index probe whatever the business's size, and whatever the
 * planner believes it is: a business that grew after the table's statistics were taken (a new business
 * on a large table, whose growth alone never reaches autovacuum's threshold) is estimated at a few
 * rows, and with a `business_id` condition beside the key the planner walked the business's messages
 * by a business index instead (every WhatsApp status read all of them). So our reference (the
 * message's id) is looked up by the primary key alone and its business checked after (MATERIALIZED
 * keeps that check out of the lookup); a message's first Graph id by the id alone, business and channel
 * checked after (`messagesByExternalIds`, one probe per id); and the update takes what was found by the
 * primary key alone, every branch having checked the business. Only when neither our reference nor a
 * first Graph id names a message are the later parts' ids (`message_delivery_parts`, one probe per id)
 * or the customer's conversations up to a Messenger watermark looked at — for a read, only after each
 * one's latest reply already read: Messenger reports reads by watermark alone, so what precedes it was
 * read by an earlier one, and a read costs the replies since, not the customer's whole history (a
 * queued reply never precedes a sent one, and a failed one is never read). `unrecorded`: our reference
 * names a message still queued (a part sent whose answer we never recorded).
 * Delivered and read go to `receipt`, so that their updates stay HOT (schema.ts); `status` changes
 * only to failed, or from the delivered and read rows written before 0027, which become sent + receipt.
 */
export async function advanceDeliveryStatus(db: DbOrTx, businessId: string, event: StatusEvent) {
  // One array parameter (drizzle would spread a bare JS array into a list), a value the planner sees:
  // it plans for as many ids as the event names, not for a set of unknown size.
  const ids = sql`${sql.param(event.messageIds)}::text[]`;
  const referenced = REFERENCE.exec(event.reference ?? '')?.[1] ?? null;
  const rows = rowsOf(
    await db.execute(sql`
    WITH by_reference AS MATERIALIZED (
      SELECT message_id, business_id, status FROM messages WHERE message_id = ${referenced}::uuid
    ), referenced AS (
      SELECT message_id, status FROM by_reference WHERE business_id = ${businessId}
    ), by_key AS (
      SELECT message_id FROM referenced
      UNION
      SELECT message_id FROM ${messagesByExternalIds(ids, sql`${businessId}::uuid`, sql`${event.channel}::text`)} m
    ), target AS (
      SELECT message_id FROM by_key
      UNION
      SELECT p.message_id FROM unnest(${ids}) AS given(id)
        CROSS JOIN LATERAL (SELECT message_id FROM message_delivery_parts
                             WHERE graph_message_id = given.id AND business_id = ${businessId}) p
       WHERE NOT EXISTS (SELECT 1 FROM by_key)
      UNION
      SELECT m.message_id FROM conversations c
        CROSS JOIN LATERAL (
          SELECT coalesce((SELECT r.sequence_number FROM messages r
                            WHERE ${event.status}::text = 'read' AND r.conversation_id = c.conversation_id
                              AND r.sender_type IN ('assistant', 'agent') AND r.channel = ${event.channel}
                              AND (r.receipt = 'read' OR r.status = 'read')
                            ORDER BY r.sequence_number DESC LIMIT 1), 0) AS read_up_to
        ) earlier
        -- OFFSET 0: read per conversation from its index, after the last read reply (flattened, the
        -- planner may join the conversation's whole history against it instead).
        CROSS JOIN LATERAL (
          SELECT message_id FROM messages
           WHERE conversation_id = c.conversation_id AND sequence_number > earlier.read_up_to
             AND created_at <= to_timestamp(${event.watermark}::bigint / 1000.0)
          OFFSET 0
        ) m
       WHERE ${event.watermark}::bigint IS NOT NULL AND cardinality(${ids}) = 0
         AND c.user_id = ${customerByIdentity('messenger', sql`${event.customerId}::text`, sql`${businessId}::uuid`)}
    ), advanced AS (
      UPDATE messages m
         SET status = CASE WHEN ${event.status}::text = 'failed' THEN 'failed'
                           WHEN m.status IN ('delivered', 'read') THEN 'sent' ELSE m.status END,
             receipt = CASE WHEN ${event.status}::text = 'failed' THEN m.receipt ELSE ${event.status}::text END,
             metadata = CASE WHEN ${event.error}::text IS NULL THEN m.metadata
                             ELSE coalesce(m.metadata, '{}'::jsonb) || jsonb_build_object('delivery_error', ${event.error}::text) END
       WHERE m.message_id = ANY(ARRAY(SELECT message_id FROM target)) AND m.channel = ${event.channel}
         AND m.sender_type IN ('assistant', 'agent')
         AND (CASE CASE m.status WHEN 'sent' THEN coalesce(m.receipt, 'sent') ELSE m.status END WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3 ELSE 9 END)
           < (CASE ${event.status}::text WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3 ELSE 4 END)
      RETURNING m.message_id, m.conversation_id
    )
    SELECT message_id, conversation_id, false AS unrecorded FROM advanced
    UNION ALL
    SELECT NULL, NULL, true FROM referenced WHERE status = 'queued'`),
  );
  return {
    changed: rows
      .filter((row) => row.unrecorded !== true)
      .map((row) => ({ messageId: String(row.message_id), conversationId: String(row.conversation_id) })),
    unrecorded: rows.some((row) => row.unrecorded === true),
  };
}
