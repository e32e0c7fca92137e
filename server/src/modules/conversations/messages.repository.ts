import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { customerByIdentity, type IdentityKind } from '../../db/customer-by-identity.js';
import { messageByExternalId } from '../../db/message-by-external-id.js';
import { prebuiltStatement } from '../../db/prebuilt-statement.js';
import { fromJson, rowsOf, toDate } from '../../db/raw-rows.js';
import { messages } from '../../db/schema.js';

/** A message as the application reads it (rollup_xid is the analytics fold's bookkeeping). */
export type MessageRow = Omit<typeof messages.$inferSelect, 'rollupXid'>;
export type SenderType = 'user' | 'assistant' | 'agent' | 'system';

export interface AppendMessageInput {
  conversationId: string;
  businessId: string;
  senderType: SenderType;
  content: string;
  status: string;
  channel?: string;
  externalMessageId?: string | null;
  stageId?: string | null;
  replyToMessageId?: string | null;
  metadata?: Record<string, unknown> | null;
  /**
   * A customer message keeps the next number free for its reply, so a transcript alternates
   * message/reply in sequence order even when several messages arrive before the first is answered.
   */
  reserveReplySlot?: boolean;
  /** The reserved number (inbound sequence + 1) for a reply; nothing new is reserved. */
  sequenceNumber?: number;
}

/**
 * Which conversation a message goes to: the given one (of the business), or — `activeOnly` — the given
 * one if it is active and (when named) the user's, else the user's most recently updated active one.
 */
export type MessageTarget =
  | { conversationId: string; userId?: undefined; activeOnly?: false }
  | { conversationId?: string | undefined; userId?: string | undefined; activeOnly: true }
  /** The customer found by a channel identity inside the insert, so a returning customer is one statement. */
  | { identity: CustomerIdentity; activeOnly: true };

/** A customer named by a channel identity (`IDENTITY_COLUMNS` names its column). */
interface CustomerIdentity {
  kind: IdentityKind;
  id: string;
}

/**
 * A customer message whose turn runs next in this process: the insert also takes the conversation's
 * processing lease for `owner` when it is free (none held, or expired), nothing else is pending and no
 * other message arrived since the statement's snapshot — then answering, in the same statement, what
 * taking it separately would read (`insertStatement`).
 */
export interface LeaseAtInsert {
  owner: string;
  seconds: number;
  /** How much history before the message the lease reads (the turn's historyReadLimit; none: none). */
  historyLimit?: number | undefined;
}

export type InsertMessageInput = Omit<AppendMessageInput, 'conversationId'> & {
  target: MessageTarget;
  lease?: LeaseAtInsert | undefined;
};

/**
 * `waiting_since` after a message of this sender, as an SQL expression on the conversation `c`: a
 * customer message starts the wait (unless one is already running), an agent's reply ends it, an
 * assistant's reply ends it unless the AI is stopped (then a person still has to answer).
 */
export function waitingAfter(senderType: string) {
  if (senderType === 'user') return sql`coalesce(c.waiting_since, now())`;
  if (senderType === 'agent') return sql`NULL::timestamptz`;
  if (senderType === 'assistant') {
    return sql`CASE WHEN c.ai_stopped_at IS NOT NULL AND (c.ai_stopped_until IS NULL OR c.ai_stopped_until > now())
                    THEN c.waiting_since ELSE NULL END`;
  }
  return sql`c.waiting_since`;
}

/** The values of the message insert's statement (`insertStatement`). */
interface InsertValues {
  businessId: string;
  conversationId: string | null;
  userId: string | null;
  /** CustomerIdentity's id (an identity target only). */
  identityId: string | null;
  senderType: string;
  content: string;
  status: string;
  channel: string;
  externalId: string | null;
  stageId: string | null;
  replyToMessageId: string | null;
  /** JSON text (`::jsonb`), or null. */
  metadata: string | null;
  /** The sequence number given by the caller (a reply's reserved slot), or null for the next one. */
  explicit: number | null;
  /** How far the conversation's last_sequence moves: 2 when the reply's slot is reserved, else 1. */
  step: number;
  /** LeaseAtInsert's values (the lease variant only). */
  leaseOwner: string | null;
  leaseSeconds: number | null;
  historyLimit: number | null;
}

type TargetKind = 'conversation' | 'owned-conversation' | 'user' | IdentityKind | 'nothing';

/**
 * The target conversation's condition, written for the case at hand so each case is its own statement
 * text (and prepared statement) with a plain, indexable predicate: by id (primary key), or by user
 * (`conversations_user_status_idx`), given, or found in a subquery by a channel identity. One text for
 * all cases, with the choice in a `CASE` on parameters, was planned generically once prepared: a walk
 * over every conversation of the business per message (linear in the business's conversations).
 */
function targetKind(target: MessageTarget): TargetKind {
  if ('identity' in target) return target.identity.kind;
  if (target.conversationId) return target.userId ? 'owned-conversation' : 'conversation';
  // No conversation and no user: nothing to target (the caller creates the conversation).
  return target.userId ? 'user' : 'nothing';
}

function targetPredicate(kind: TargetKind, v: (name: keyof InsertValues) => unknown) {
  if (kind === 'conversation') return sql`c.conversation_id = ${v('conversationId')}::uuid`;
  if (kind === 'owned-conversation')
    return sql`c.conversation_id = ${v('conversationId')}::uuid AND c.user_id = ${v('userId')}::uuid`;
  if (kind === 'user') return sql`c.user_id = ${v('userId')}::uuid`;
  if (kind === 'nothing') return sql`false`;
  return sql`c.user_id = ${customerByIdentity(kind, sql`${v('identityId')}::text`, sql`${v('businessId')}::uuid`)}`;
}

/**
 * The `limit` messages of a conversation before a sequence number, newest first, as one JSON array of
 * what listRecentMessages answers: the history a lease reads ahead for the turn (here and in
 * turn.repository's lease). created_at as text: the string the driver hands drizzle, so `new Date`
 * reads it as listRecentMessages does.
 */
export function historyBeforeJson(conversationId: SQL, beforeSequence: SQL, limit: SQL) {
  return sql`(SELECT coalesce(json_agg(json_build_object('senderType', h.sender_type, 'content', h.message_content,
                                                          'createdAt', h.created_at::text)
                                       ORDER BY h.sequence_number DESC), '[]')
                FROM (SELECT sender_type, message_content, created_at, sequence_number FROM messages
                       WHERE conversation_id = ${conversationId} AND sequence_number < ${beforeSequence}
                       ORDER BY sequence_number DESC LIMIT ${limit}) h)`;
}

/**
 * The lease's parts of the insert (see LeaseAtInsert). `target` reads the statement's snapshot: an
 * unchanged last_sequence on the row locked for the update means no message committed since, so no
 * pending one went unseen. now() is this transaction's start, so a lease_until equal to `until` was
 * written by this very statement.
 */
function leaseClauses(v: (name: 'leaseOwner' | 'leaseSeconds' | 'historyLimit') => unknown) {
  const until = sql`now() + make_interval(secs => ${v('leaseSeconds')}::float8)`;
  const takes = sql`(c.lease_owner IS NULL OR c.lease_until < now())
                    AND c.last_sequence = target.seen_sequence AND target.none_pending`;
  return {
    seen: sql`, c.last_sequence AS seen_sequence,
             NOT EXISTS (SELECT 1 FROM messages m
                          WHERE m.conversation_id = c.conversation_id AND m.status = 'pending') AS none_pending`,
    set: sql`,
             lease_owner = CASE WHEN ${takes} THEN ${v('leaseOwner')}::text ELSE c.lease_owner END,
             lease_until = CASE WHEN ${takes} THEN ${until} ELSE c.lease_until END`,
    returned: sql`, c.business_id, c.stage_id, c.channel AS conversation_channel, c.collected_data,
                c.ai_stopped_at, c.ai_stopped_until,
                (c.lease_owner = ${v('leaseOwner')}::text AND c.lease_until = ${until}) AS leased`,
    // What tryLease answers, for the message just inserted (the only one pending).
    answer: sql`,
           (SELECT json_build_object(
                     'business_id', seq.business_id, 'user_id', seq.user_id, 'stage_id', seq.stage_id,
                     'channel', seq.conversation_channel, 'collected_data', seq.collected_data,
                     'ai_stopped_at', seq.ai_stopped_at, 'ai_stopped_until', seq.ai_stopped_until,
                     'first_name', u.first_name, 'last_name', u.last_name,
                     'history', ${historyBeforeJson(
                       sql`seq.conversation_id`,
                       sql`seq.sequence_number`,
                       sql`coalesce(${v('historyLimit')}::int, 0)`,
                     )})
              FROM seq LEFT JOIN users u ON u.user_id = seq.user_id
             WHERE seq.leased) AS lease`,
  };
}

const withoutLease = { seen: sql``, set: sql``, returned: sql``, answer: sql`` };

/**
 * THE message insert, in ONE statement: the UPDATE of the target conversation takes its row lock,
 * moves `last_updated` and `waiting_since` (see `waitingAfter`) and bumps `last_sequence`, so concurrent
 * inserts (from any process) get distinct, consecutive numbers without an explicit transaction. `v`
 * places a value: a placeholder of the prebuilt form, or the value itself.
 */
function insertStatement(
  v: (name: keyof InsertValues) => unknown,
  predicate: SQL,
  senderType: string,
  ownerNameColumns: SQL,
  withLease = false,
) {
  const lease = withLease ? leaseClauses(v) : withoutLease;
  return sql`
    WITH found AS MATERIALIZED (
      -- By id or by user alone; the business is checked after (MATERIALIZED keeps the check out of this
      -- lookup): with business_id beside the key, a business the statistics underestimate (one that grew
      -- since the last ANALYZE) looked as cheap by any index that starts with business_id, and each
      -- message walked the business's conversations.
      SELECT c.conversation_id, c.business_id, c.last_updated, c.last_sequence FROM conversations c
       WHERE ${predicate}
    ), target AS (
      SELECT c.conversation_id${lease.seen} FROM found c
       WHERE c.business_id = ${v('businessId')}
       ORDER BY c.last_updated DESC, c.conversation_id
       LIMIT 1
    ), seq AS (
      UPDATE conversations c
         SET last_sequence = CASE WHEN ${v('explicit')}::int IS NULL THEN c.last_sequence + ${v('step')}::int
                                  ELSE greatest(c.last_sequence, ${v('explicit')}::int) END,
             last_updated = now(),
             waiting_since = ${waitingAfter(senderType)}${lease.set}
        FROM target
       WHERE c.conversation_id = target.conversation_id
         AND (${v('externalId')}::text IS NULL OR NOT EXISTS ${messageByExternalId(
           sql`${v('externalId')}::text`,
           sql`${v('businessId')}::uuid`,
           sql`${v('channel')}::text`,
         )})
      RETURNING c.conversation_id, c.user_id,
                CASE WHEN ${v('explicit')}::int IS NULL THEN c.last_sequence - ${v('step')}::int + 1
                     ELSE ${v('explicit')}::int END AS sequence_number${lease.returned}
    )
    INSERT INTO messages (conversation_id, business_id, sender_type, message_content, sequence_number,
                          channel, external_message_id, status, stage_id, reply_to_message_id, metadata)
    SELECT seq.conversation_id, ${v('businessId')}, ${v('senderType')}, ${v('content')}, seq.sequence_number,
           ${v('channel')}, ${v('externalId')}::text, ${v('status')}, ${v('stageId')}::uuid,
           ${v('replyToMessageId')}::uuid, ${v('metadata')}::jsonb
      FROM seq
    ON CONFLICT (business_id, channel, external_message_id) WHERE external_message_id IS NOT NULL DO NOTHING
    RETURNING *, (SELECT user_id FROM seq) AS owner_id${ownerNameColumns}${lease.answer}`;
}

/** WhatsApp and Messenger name their customer with every message: the caller compares the stored name. */
const namesChannelCustomer = (kind: TargetKind) => kind === 'whatsapp' || kind === 'messenger';
const ownerNameAnswer = sql`, (SELECT u.first_name FROM users u WHERE u.user_id = (SELECT user_id FROM seq)) AS owner_first_name,
      (SELECT u.last_name FROM users u WHERE u.user_id = (SELECT user_id FROM seq)) AS owner_last_name`;

/**
 * Its prebuilt forms, one per target kind, active-only or not, sender type (`waitingAfter`) and
 * whether it takes the lease.
 */
const insertPrebuilt = prebuiltStatement<
  InsertValues,
  `${TargetKind},${'active' | 'any'},${string},${'lease' | ''}`
>((p, variant) => {
  const [kind, active, senderType, lease] = variant.split(',') as [TargetKind, string, string, string];
  const activeOnly = active === 'active' ? sql` AND c.status = 'active'` : sql``;
  return insertStatement(
    p,
    sql`${targetPredicate(kind, p)}${activeOnly}`,
    senderType,
    namesChannelCustomer(kind) ? ownerNameAnswer : sql``,
    lease === 'lease',
  );
});

/**
 * Stores a message in ONE statement (`insertStatement`).
 *
 * Returns null when nothing was stored: no such conversation in that business (or none active for the
 * user), or the external message id was already stored for this business and channel (a duplicate
 * delivery). A known duplicate does not consume a sequence number (the NOT EXISTS guard); only two
 * deliveries of the same id racing each other can leave a gap, which the unique index turns into a no-op.
 */
export async function insertMessage(
  db: DbOrTx,
  m: InsertMessageInput,
): Promise<{
  message: MessageRow;
  ownerId: string;
  ownerName?: { firstName: string; lastName: string };
  /** Given `lease` and taken: the conversation as the lease reads it (turn.repository's `leasedFromRow`). */
  leased?: Record<string, unknown>;
} | null> {
  const target = m.target;
  const values: InsertValues = {
    businessId: m.businessId,
    conversationId: ('conversationId' in target && target.conversationId) || null,
    userId: ('userId' in target && target.userId) || null,
    identityId: ('identity' in target && target.identity.id) || null,
    senderType: m.senderType,
    content: m.content,
    status: m.status,
    channel: m.channel ?? 'api',
    externalId: m.externalMessageId ?? null,
    stageId: m.stageId ?? null,
    replyToMessageId: m.replyToMessageId ?? null,
    metadata: m.metadata == null ? null : JSON.stringify(m.metadata),
    explicit: m.sequenceNumber ?? null,
    step: m.reserveReplySlot ? 2 : 1,
    leaseOwner: m.lease?.owner ?? null,
    leaseSeconds: m.lease?.seconds ?? null,
    historyLimit: m.lease?.historyLimit ?? null,
  };
  const kind = targetKind(target);
  const [row] = rowsOf(
    await insertPrebuilt(
      db,
      values,
      `${kind},${target.activeOnly === true ? 'active' : 'any'},${m.senderType},${m.lease ? 'lease' : ''}`,
    ),
  );
  if (!row) return null;
  const leased = fromJson(row.lease as Record<string, unknown> | string | null);
  return {
    message: toMessageRow(row),
    ownerId: String(row.owner_id),
    ...(leased ? { leased } : {}),
    ...(namesChannelCustomer(kind)
      ? {
          ownerName: {
            firstName: String(row.owner_first_name ?? ''),
            lastName: String(row.owner_last_name ?? ''),
          },
        }
      : {}),
  };
}

/** The values of the first-contact statement (`firstContactPrebuilt`). */
interface FirstContactValues
  extends Pick<
    InsertValues,
    | 'businessId'
    | 'content'
    | 'status'
    | 'channel'
    | 'externalId'
    | 'metadata'
    | 'leaseOwner'
    | 'leaseSeconds'
    | 'historyLimit'
  > {
  /** The stage a new conversation starts in (the business's entry stage). */
  entryStageId: string | null;
  /** NewCustomer's fields, or null for an anonymous customer. */
  webVisitorId: string | null;
  firstName: string | null;
}

/** Who a new customer is when the channel knows them: the website widget's visitor. */
export interface NewCustomer {
  webVisitorId: string;
  firstName: string;
}

/**
 * A customer seen for the first time, in ONE statement: their user, their conversation in the entry
 * stage — leased to the caller, since no one else can see it before the commit — and their message,
 * answering what `insertStatement` answers with the lease. The message keeps the next number for its
 * reply (the conversation's last_sequence is 2). Nothing is created when the external id is already
 * stored, or when the visitor's user exists (another of their tabs created it first: this waits for
 * that commit on the unique key, so the other tab's conversation is there for the returning path).
 */
const firstContactPrebuilt = prebuiltStatement<FirstContactValues>((p) => {
  const lease = leaseClauses(p);
  return sql`
    WITH customer AS (
      INSERT INTO users (business_id, web_visitor_id, first_name)
      SELECT ${p('businessId')}::uuid, ${p('webVisitorId')}::text, coalesce(${p('firstName')}::text, '')
       WHERE ${p('externalId')}::text IS NULL OR NOT EXISTS ${messageByExternalId(
         sql`${p('externalId')}::text`,
         sql`${p('businessId')}::uuid`,
         sql`${p('channel')}::text`,
       )}
      ON CONFLICT (business_id, web_visitor_id) DO NOTHING
      RETURNING user_id
    ), seq AS (
      INSERT INTO conversations AS c (business_id, user_id, stage_id, channel, last_sequence, waiting_since,
                                      lease_owner, lease_until)
      SELECT ${p('businessId')}, customer.user_id, ${p('entryStageId')}::uuid, ${p('channel')}, 2, now(),
             ${p('leaseOwner')}::text, now() + make_interval(secs => ${p('leaseSeconds')}::float8)
        FROM customer
      RETURNING c.conversation_id, c.user_id, 1 AS sequence_number${lease.returned}
    )
    INSERT INTO messages (conversation_id, business_id, sender_type, message_content, sequence_number,
                          channel, external_message_id, status, metadata)
    SELECT seq.conversation_id, ${p('businessId')}, 'user', ${p('content')}, seq.sequence_number,
           ${p('channel')}, ${p('externalId')}::text, ${p('status')}, ${p('metadata')}::jsonb
      FROM seq
    ON CONFLICT (business_id, channel, external_message_id) WHERE external_message_id IS NOT NULL DO NOTHING
    RETURNING *, (SELECT user_id FROM seq) AS owner_id${lease.answer}`;
});

/**
 * The first message of a customer the business has never seen (no user, no conversation given): the
 * customer — anonymous, or `customer` — their conversation and the message in one statement
 * (`firstContactPrebuilt`), the conversation leased for the turn that follows. Null: the external id
 * was already stored, or the customer was created by a concurrent request.
 */
export async function insertFirstContactMessage(
  db: DbOrTx,
  m: Pick<
    AppendMessageInput,
    'businessId' | 'content' | 'status' | 'channel' | 'externalMessageId' | 'metadata'
  > & {
    entryStageId: string | null;
    customer?: NewCustomer | undefined;
    lease: LeaseAtInsert;
  },
): Promise<{ message: MessageRow; ownerId: string; leased: Record<string, unknown> } | null> {
  const [row] = rowsOf(
    await firstContactPrebuilt(db, {
      businessId: m.businessId,
      content: m.content,
      status: m.status,
      channel: m.channel ?? 'api',
      externalId: m.externalMessageId ?? null,
      metadata: m.metadata == null ? null : JSON.stringify(m.metadata),
      entryStageId: m.entryStageId,
      webVisitorId: m.customer?.webVisitorId ?? null,
      firstName: m.customer?.firstName ?? null,
      leaseOwner: m.lease.owner,
      leaseSeconds: m.lease.seconds,
      historyLimit: m.lease.historyLimit ?? null,
    }),
  );
  if (!row) return null;
  return {
    message: toMessageRow(row),
    ownerId: String(row.owner_id),
    leased: fromJson(row.lease as Record<string, unknown> | string) as Record<string, unknown>,
  };
}

/** The user of the website widget's visitor `visitorId` in the business (undefined: none yet). */
export async function findWebVisitorUserId(db: DbOrTx, businessId: string, visitorId: string) {
  const [row] = rowsOf(
    await db.execute(
      sql`SELECT ${customerByIdentity('webVisitor', sql`${visitorId}::text`, sql`${businessId}::uuid`)} AS user_id`,
    ),
  );
  return row?.user_id == null ? undefined : String(row.user_id);
}

/** A message appended to a known conversation of the business (null: none such, or a duplicate). */
export async function appendMessage(db: DbOrTx, m: AppendMessageInput): Promise<MessageRow | null> {
  const { conversationId, ...rest } = m;
  const stored = await insertMessage(db, { ...rest, target: { conversationId } });
  return stored?.message ?? null;
}

export async function findMessage(db: DbOrTx, messageId: string) {
  const [row] = await db.select().from(messages).where(eq(messages.messageId, messageId)).limit(1);
  return row;
}

/** A message by the channel's own id, for idempotent deliveries. */
export async function findMessageByExternalId(
  db: DbOrTx,
  businessId: string,
  channel: string,
  externalId: string,
) {
  const [row] = await db
    .select()
    .from(messages)
    .where(
      eq(
        messages.messageId,
        messageByExternalId(sql`${externalId}::text`, sql`${businessId}::uuid`, sql`${channel}::text`),
      ),
    );
  return row;
}

/** A snake_case `messages` row (raw SQL) in drizzle's camelCase shape. */
export function toMessageRow(row: Record<string, unknown>): MessageRow {
  return {
    messageId: String(row.message_id),
    conversationId: String(row.conversation_id),
    businessId: String(row.business_id),
    senderType: String(row.sender_type),
    messageContent: String(row.message_content),
    sequenceNumber: Number(row.sequence_number),
    channel: String(row.channel),
    externalMessageId: (row.external_message_id as string | null) ?? null,
    status: String(row.status),
    receipt: (row.receipt as string | null | undefined) ?? null,
    stageId: (row.stage_id as string | null) ?? null,
    replyToMessageId: (row.reply_to_message_id as string | null) ?? null,
    metadata: fromJson<Record<string, unknown>>(row.metadata as Record<string, unknown> | string | null),
    createdAt: toDate(row.created_at),
  };
}

/** When the customer last wrote in the conversation (null: never). */
export async function lastCustomerMessageAt(db: DbOrTx, conversationId: string): Promise<Date | null> {
  const [row] = await db
    .select({ at: sql<Date | string | null>`max(${messages.createdAt})` })
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), eq(messages.senderType, 'user')));
  return row?.at ? toDate(row.at) : null;
}
