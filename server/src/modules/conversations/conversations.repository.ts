import {
  and,
  asc,
  count,
  desc,
  eq,
  gt,
  gte,
  inArray,
  isNotNull,
  isNull,
  lte,
  type SQL,
  sql,
} from 'drizzle-orm';
import { type AnyPgColumn, alias } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../../db/client.js';
import { rowsOf } from '../../db/raw-rows.js';
import {
  accounts,
  conversations,
  memberships,
  messages,
  stages,
  stageTransitions,
  users,
} from '../../db/schema.js';
import type { Page } from '../../lib/schemas.js';
import type { DataFilter } from './data-filters.js';

export type ConversationRow = typeof conversations.$inferSelect;

export interface ConversationFilters {
  businessId: string;
  userId?: string | undefined;
  status?: string | undefined;
  stageId?: string | undefined;
  /** Already a LIKE pattern (escaped, with `%` around it). */
  textPattern?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  data?: readonly DataFilter[];
  /** One channel; absent: every channel except `simulator` (test chats stay out of the inbox). */
  channel?: string | undefined;
  /** An account id, or `none` for unassigned conversations. */
  assignee?: string | undefined;
  waiting?: boolean | undefined;
}

/** The raw `last_message` JSON; its `created_at` is text. */
export interface LastMessageJson {
  message_content: string;
  sender_type: string;
  created_at: string;
}

const scoped = (conversationId: string, businessId: string | undefined): SQL | undefined =>
  businessId
    ? and(eq(conversations.conversationId, conversationId), eq(conversations.businessId, businessId))
    : eq(conversations.conversationId, conversationId);

function whereOf(f: ConversationFilters): SQL | undefined {
  const conditions: (SQL | undefined)[] = [eq(conversations.businessId, f.businessId)];
  if (f.userId) conditions.push(eq(conversations.userId, f.userId));
  if (f.status) conditions.push(eq(conversations.status, f.status));
  if (f.stageId) conditions.push(eq(conversations.stageId, f.stageId));
  if (f.from) conditions.push(gte(conversations.lastUpdated, f.from));
  if (f.to) conditions.push(lte(conversations.lastUpdated, f.to));
  conditions.push(
    f.channel ? eq(conversations.channel, f.channel) : sql`${conversations.channel} <> 'simulator'`,
  );
  if (f.assignee === 'none') conditions.push(isNull(conversations.assigneeAccountId));
  else if (f.assignee) conditions.push(eq(conversations.assigneeAccountId, f.assignee));
  if (f.waiting !== undefined) {
    conditions.push(f.waiting ? isNotNull(conversations.waitingSince) : isNull(conversations.waitingSince));
  }
  for (const filter of f.data ?? []) conditions.push(collectedDataMatches(filter));
  if (f.textPattern) {
    // The trigram index (messages_content_trgm_idx) finds a rare word's messages; for a common one the
    // planner walks the conversations in list order and stops at the page.
    conditions.push(sql`EXISTS (SELECT 1 FROM messages sm
      WHERE sm.conversation_id = conversations.conversation_id AND sm.business_id = ${f.businessId}::uuid
        AND sm.message_content ILIKE ${f.textPattern} ESCAPE '\\')`);
  }
  return and(...conditions);
}

/**
 * `collected_data ->> key = value`, led by containment (`@>`) so the GIN index
 * (conversations_collected_data_idx) finds the rows: the value as a JSON string, or as the JSON number,
 * boolean, object or array it spells (`->>` renders those as their text). The `->>` comparison then
 * keeps exactly the old meaning (5.0 contains 5, but its text is not "5").
 */
function collectedDataEquals(key: string, value: string): SQL {
  const candidates: unknown[] = [value];
  try {
    const parsed: unknown = JSON.parse(value);
    if (parsed !== null && typeof parsed !== 'string') candidates.push(parsed);
  } catch {
    // text only
  }
  const contains = candidates.map(
    (candidate) => sql`${conversations.collectedData} @> ${JSON.stringify({ [key]: candidate })}::jsonb`,
  );
  return sql`(${sql.join(contains, sql` OR `)}) AND ${conversations.collectedData} ->> ${key} = ${value}`;
}

/**
 * A typed filter: an exact value by containment (the GIN index finds the rows); a range compares the
 * value as a number (only JSON numbers) or as an ISO date string (only strings; ISO dates sort as text).
 */
function collectedDataMatches(filter: DataFilter): SQL {
  if (filter.kind === 'text') return collectedDataEquals(filter.key, filter.value);
  if (filter.kind === 'equals')
    return sql`${conversations.collectedData} @> ${JSON.stringify({ [filter.key]: filter.value })}::jsonb`;
  const value = sql`${conversations.collectedData} -> ${filter.key}`;
  const bounds: SQL[] = [];
  if (filter.type === 'number') {
    const n = sql`(CASE WHEN jsonb_typeof(${value}) = 'number' THEN (${value})::numeric END)`;
    if (filter.min !== undefined) bounds.push(sql`${n} >= ${String(filter.min)}::numeric`);
    if (filter.max !== undefined) bounds.push(sql`${n} <= ${String(filter.max)}::numeric`);
    return sql`(${sql.join(bounds, sql` AND `)})`;
  }
  const d = sql`(CASE WHEN jsonb_typeof(${value}) = 'string' THEN ${conversations.collectedData} ->> ${filter.key} END)`;
  if (filter.min !== undefined) bounds.push(sql`${d} >= ${String(filter.min)}`);
  if (filter.max !== undefined) bounds.push(sql`${d} <= ${String(filter.max)}`);
  return sql`(${sql.join(bounds, sql` AND `)})`;
}

/** `created_at`-like timestamps as cursor text: UTC with microseconds (a JS Date keeps milliseconds). */
export const instantKey = (column: SQL | AnyPgColumn) =>
  sql<string>`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** How many rows match, counting no further than `cap + 1`. */
export async function cappedCount(db: DbOrTx, from: SQL, cap: number): Promise<number> {
  const [row] = rowsOf(
    await db.execute(sql`SELECT count(*)::int AS n FROM (${from} LIMIT ${cap + 1}) capped`),
  );
  return Number(row?.n ?? 0);
}

// Correlated subqueries name the outer column in plain SQL on purpose: drizzle renders `${column}`
// unqualified in the select list of a single-table query, and an unqualified `message_id` inside the
// subquery would bind to the subquery's own table (matching every row of every business).

/**
 * Conversation, customer, assignee, stage name, message count, last message and the viewer's unread
 * count: one query for the page. `viewerAccountId` is the team account asking (null for a key: its
 * unread count is 0); unread = customer messages numbered after that account's read mark.
 */
function selectSummaries(db: DbOrTx, viewerAccountId: string | null) {
  const unread =
    viewerAccountId === null
      ? sql<number>`0`
      : sql<number>`(SELECT count(*)::int FROM messages um
          WHERE um.conversation_id = conversations.conversation_id AND um.sender_type = 'user'
            AND um.sequence_number > coalesce((SELECT r.last_read_sequence FROM conversation_reads r
                 WHERE r.account_id = ${viewerAccountId}::uuid
                   AND r.conversation_id = conversations.conversation_id), 0))`;
  return db
    .select({
      conversation: conversations,
      customer: {
        firstName: users.firstName,
        lastName: users.lastName,
        email: users.email,
        phone: users.phone,
        whatsappId: users.whatsappId,
        messengerPsid: users.messengerPsid,
        webVisitorId: users.webVisitorId,
      },
      assigneeName: sql<string | null>`nullif(coalesce(nullif(${accounts.name}, ''), ${accounts.email}), '')`,
      stageName: stages.stageName,
      messageCount: sql<number>`(SELECT count(*)::int FROM messages cm
        WHERE cm.conversation_id = conversations.conversation_id)`.mapWith(Number),
      lastMessage: sql<LastMessageJson | null>`(SELECT jsonb_build_object(
          'message_content', lm.message_content, 'sender_type', lm.sender_type, 'created_at', lm.created_at)
        FROM messages lm WHERE lm.conversation_id = conversations.conversation_id
        ORDER BY lm.sequence_number DESC LIMIT 1)`,
      unreadCount: unread.mapWith(Number),
    })
    .from(conversations)
    .innerJoin(users, eq(users.userId, conversations.userId))
    .leftJoin(accounts, eq(accounts.accountId, conversations.assigneeAccountId))
    .leftJoin(stages, eq(stages.stageId, conversations.stageId));
}

export type ConversationSummaryRow = Awaited<
  ReturnType<ReturnType<typeof selectSummaries>['execute']>
>[number];

/**
 * One page of conversations, newest activity first: the page's ids first (from the index, at an offset
 * or after a cursor), then the summaries of those ids only; the count stops at `countCap + 1`.
 * Returns one row more than the page when there is a next page (`hasMore`), and the last row's key.
 */
export async function listConversations(
  db: DbOrTx,
  filters: ConversationFilters,
  page: Page,
  viewerAccountId: string | null,
  after: { at: string; id: string } | undefined,
  countCap: number,
) {
  const where = whereOf(filters);
  const keyset = after
    ? sql`${conversations.lastUpdated} <= ${after.at}::timestamptz
          AND (${conversations.lastUpdated}, ${conversations.conversationId}) < (${after.at}::timestamptz, ${after.id}::uuid)`
    : undefined;
  const [ids, total] = await Promise.all([
    db
      .select({ id: conversations.conversationId, at: instantKey(conversations.lastUpdated) })
      .from(conversations)
      .where(and(where, keyset))
      .orderBy(desc(conversations.lastUpdated), desc(conversations.conversationId))
      .limit(page.perPage + 1)
      .offset(after ? 0 : page.offset),
    cappedCount(db, sql`SELECT 1 FROM conversations WHERE ${where}`, countCap),
  ]);
  const pageIds = ids.slice(0, page.perPage);
  const rows =
    pageIds.length === 0
      ? []
      : await selectSummaries(db, viewerAccountId).where(
          inArray(
            conversations.conversationId,
            pageIds.map((row) => row.id),
          ),
        );
  const order = new Map(pageIds.map((row, index) => [row.id, index]));
  rows.sort(
    (x, y) =>
      (order.get(x.conversation.conversationId) ?? 0) - (order.get(y.conversation.conversationId) ?? 0),
  );
  const last = pageIds[pageIds.length - 1];
  return {
    rows,
    total,
    next: ids.length > page.perPage && last ? ([last.at, last.id] as const) : null,
  };
}

export async function listUserConversations(
  db: DbOrTx,
  businessId: string,
  userId: string,
  viewerAccountId: string | null,
) {
  return selectSummaries(db, viewerAccountId)
    .where(and(eq(conversations.businessId, businessId), eq(conversations.userId, userId)))
    .orderBy(desc(conversations.lastUpdated), desc(conversations.conversationId));
}

export async function findConversationSummary(
  db: DbOrTx,
  conversationId: string,
  businessId: string | undefined,
  viewerAccountId: string | null,
) {
  const [row] = await selectSummaries(db, viewerAccountId).where(scoped(conversationId, businessId)).limit(1);
  return row;
}

export async function findConversation(db: DbOrTx, conversationId: string, businessId: string | undefined) {
  const [row] = await db.select().from(conversations).where(scoped(conversationId, businessId)).limit(1);
  return row;
}

export async function updateConversation(
  db: DbOrTx,
  conversationId: string,
  businessId: string | undefined,
  values: Partial<
    Pick<ConversationRow, 'status' | 'aiStoppedAt' | 'aiStoppedUntil' | 'assigneeAccountId' | 'waitingSince'>
  >,
  touch: boolean,
) {
  const [row] = await db
    .update(conversations)
    .set(touch ? { ...values, lastUpdated: new Date() } : values)
    .where(scoped(conversationId, businessId))
    .returning();
  return row;
}

/** Nobody is assigned where this account was (it left the business); the rows that changed. */
export async function unassignAccount(db: DbOrTx, businessId: string, accountId: string) {
  return db
    .update(conversations)
    .set({ assigneeAccountId: null })
    .where(and(eq(conversations.businessId, businessId), eq(conversations.assigneeAccountId, accountId)))
    .returning();
}

/** Messages, extracted data and stage transitions go with it (ON DELETE CASCADE). */
export async function deleteConversation(db: DbOrTx, conversationId: string, businessId: string | undefined) {
  const rows = await db
    .delete(conversations)
    .where(scoped(conversationId, businessId))
    .returning({ id: conversations.conversationId });
  return rows.length > 0;
}

/** Messages with the data extracted from each (a JSON array of objects, oldest first, or null). */
function selectMessages(db: DbOrTx) {
  return db
    .select({
      message: messages,
      extracted: sql<Record<string, unknown>[] | null>`(SELECT jsonb_agg(e.data ORDER BY e.created_at)
        FROM extracted_data e WHERE e.message_id = messages.message_id)`,
    })
    .from(messages);
}

export type MessageWithExtractedRow = Awaited<
  ReturnType<ReturnType<typeof selectMessages>['execute']>
>[number];

/**
 * The caller has checked that the conversation belongs to the business. With a page: up to
 * `perPage + 1` rows (one more tells there is a next page), after `afterSequence` when given.
 */
export async function listMessages(db: DbOrTx, conversationId: string, page?: Page, afterSequence?: number) {
  const query = selectMessages(db)
    .where(
      and(
        eq(messages.conversationId, conversationId),
        afterSequence === undefined ? undefined : gt(messages.sequenceNumber, afterSequence),
      ),
    )
    .orderBy(asc(messages.sequenceNumber));
  if (!page) return query;
  return query.limit(page.perPage + 1).offset(afterSequence === undefined ? page.offset : 0);
}

export async function countMessages(db: DbOrTx, conversationId: string) {
  const [row] = await db
    .select({ value: count() })
    .from(messages)
    .where(eq(messages.conversationId, conversationId));
  return row?.value ?? 0;
}

export async function listMessagesOf(db: DbOrTx, businessId: string, conversationIds: string[]) {
  if (conversationIds.length === 0) return [];
  return selectMessages(db)
    .where(and(eq(messages.businessId, businessId), inArray(messages.conversationId, conversationIds)))
    .orderBy(asc(messages.conversationId), asc(messages.sequenceNumber));
}

const fromStage = alias(stages, 'from_stage');
const toStage = alias(stages, 'to_stage');

export async function listStageTransitions(db: DbOrTx, conversationId: string) {
  return db
    .select({
      transition: stageTransitions,
      fromStageName: fromStage.stageName,
      toStageName: toStage.stageName,
    })
    .from(stageTransitions)
    .leftJoin(fromStage, eq(fromStage.stageId, stageTransitions.fromStageId))
    .leftJoin(toStage, eq(toStage.stageId, stageTransitions.toStageId))
    .where(eq(stageTransitions.conversationId, conversationId))
    .orderBy(asc(stageTransitions.createdAt), asc(stageTransitions.stageTransitionId));
}

/** Whether the account is a member of the business (a valid assignee). */
export async function isMemberOf(db: DbOrTx, businessId: string, accountId: string) {
  const [row] = await db
    .select({ id: memberships.membershipId })
    .from(memberships)
    .where(and(eq(memberships.businessId, businessId), eq(memberships.accountId, accountId)))
    .limit(1);
  return row !== undefined;
}

/** An account's display name (its name, else its e-mail); null when there is no such account. */
export async function accountDisplayName(db: DbOrTx, accountId: string) {
  const [row] = await db
    .select({ name: accounts.name, email: accounts.email })
    .from(accounts)
    .where(eq(accounts.accountId, accountId))
    .limit(1);
  return row ? row.name || row.email : null;
}

/**
 * The account has read the conversation up to its latest message: the read mark moves to the
 * conversation's last sequence number (never backwards). One statement.
 */
export async function markConversationRead(db: DbOrTx, accountId: string, conversationId: string) {
  await db.execute(sql`
    INSERT INTO conversation_reads (account_id, conversation_id, last_read_sequence, updated_at)
    SELECT ${accountId}::uuid, c.conversation_id, c.last_sequence, now()
      FROM conversations c WHERE c.conversation_id = ${conversationId}::uuid
    ON CONFLICT (account_id, conversation_id) DO UPDATE
       SET last_read_sequence = greatest(conversation_reads.last_read_sequence, EXCLUDED.last_read_sequence),
           updated_at = now()`);
}

/**
 * The conversations a CSV export writes (newest activity first), at most `limit`, with what the export
 * shows of each: customer, stage name and collected data. `countCap`: how far the total is counted.
 */
export async function listConversationsForExport(db: DbOrTx, filters: ConversationFilters, limit: number) {
  const where = whereOf(filters);
  const [total, rows] = await Promise.all([
    cappedCount(db, sql`SELECT 1 FROM conversations WHERE ${where}`, limit),
    db
      .select({
        conversation: conversations,
        customer: {
          firstName: users.firstName,
          lastName: users.lastName,
          whatsappId: users.whatsappId,
          messengerPsid: users.messengerPsid,
          webVisitorId: users.webVisitorId,
        },
        stageName: stages.stageName,
      })
      .from(conversations)
      .innerJoin(users, eq(users.userId, conversations.userId))
      .leftJoin(stages, eq(stages.stageId, conversations.stageId))
      .where(where)
      .orderBy(desc(conversations.lastUpdated), desc(conversations.conversationId))
      .limit(limit),
  ]);
  return { total, rows };
}
