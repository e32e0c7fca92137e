import type { AppContext } from '../../context.js';
import type { DbOrTx } from '../../db/client.js';
import { AppError, invalid, notFound } from '../../errors.js';
import { decodeInstantCursor, decodeSequenceCursor, encodeCursor, LIST_COUNT_CAP } from '../../lib/cursor.js';
import type { Principal } from '../../lib/principal.js';
import type { Page } from '../../lib/schemas.js';
import { actorOf, recordAudit } from '../audit/index.js';
import { dataMaskFor, readBusinessFields } from '../fields/index.js';
import { findUser } from '../users/index.js';
import { aiControlStatus, RESUMED, stopColumns } from './ai-control.js';
import { publishConversationEvent } from './conversation-events.js';
import {
  accountDisplayName,
  type ConversationFilters,
  type ConversationRow,
  countMessages,
  deleteConversation,
  findConversation,
  findConversationSummary,
  isMemberOf,
  listConversations,
  listConversationsForExport,
  listMessages,
  listMessagesOf,
  listStageTransitions,
  listUserConversations,
  unassignAccount,
  updateConversation,
} from './conversations.repository.js';
import { DATA_FILTER_PREFIX, MAX_EXPORT_ROWS } from './conversations.schemas.js';
import { conversationsCsv } from './conversations-csv.js';
import { typedDataFilters } from './data-filters.js';
import { deliverAgentReply, outboundStatus } from './deliver-agent-reply.js';
import { appendMessage } from './messages.repository.js';
import { assertReplyWindowOpen } from './reply-window.js';
import {
  serializeConversation,
  serializeConversationSummary,
  serializeCustomer,
  serializeMessage,
  serializeMessageWithExtracted,
} from './serialize-conversation.js';

const DATA_KEY = /^[A-Za-z0-9_]{1,64}$/;
const MAX_DATA_FILTERS = 20;

export interface ConversationListQuery {
  user_id?: string;
  status?: string;
  stage_id?: string;
  channel?: string;
  assignee_id?: string;
  waiting?: boolean;
  q?: string;
  from?: string;
  to?: string;
}

/** The team account behind a principal (null for API keys and the master key): whose reads count. */
export const viewerOf = (principal: Principal): string | null =>
  principal.role === 'business' ? null : (principal.account?.id ?? null);

/** An id no account has: `assignee_id=me` for a caller without an account matches nothing. */
const NO_ACCOUNT = '00000000-0000-0000-0000-000000000000';

/** `data.<key>=<value>` pairs of a query string, keys checked. */
export function dataFiltersOf(query: Record<string, unknown>): [string, string][] {
  const filters: [string, string][] = [];
  for (const [param, value] of Object.entries(query)) {
    if (!param.startsWith(DATA_FILTER_PREFIX)) continue;
    const key = param.slice(DATA_FILTER_PREFIX.length);
    if (!DATA_KEY.test(key)) {
      throw invalid(`Invalid collected-data filter ${param}`, {
        [param]: 'key must be 1-64 letters, digits or underscores',
      });
    }
    filters.push([key, String(value)]);
  }
  if (filters.length > MAX_DATA_FILTERS) {
    throw invalid(`At most ${MAX_DATA_FILTERS} data.<key> filters`, { data: 'too many filters' });
  }
  return filters;
}

/** `%text%` for ILIKE with the user's `\`, `%` and `_` taken literally. */
export const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function toInstant(field: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw invalid(`Invalid ${field}`, { [field]: 'must be a date-time' });
  return date;
}

/** The list's filters from its query string (`data.<key>` typed by the business's fields). */
async function conversationFiltersOf(
  ctx: AppContext,
  principal: Principal,
  businessId: string,
  query: ConversationListQuery & Record<string, unknown>,
): Promise<ConversationFilters> {
  const viewer = viewerOf(principal);
  const pairs = dataFiltersOf(query);
  const fields = pairs.length > 0 ? ((await readBusinessFields(ctx.db, businessId)) ?? []) : [];
  return {
    businessId,
    userId: query.user_id,
    status: query.status,
    stageId: query.stage_id,
    channel: query.channel,
    assignee: query.assignee_id === 'me' ? (viewer ?? NO_ACCOUNT) : query.assignee_id,
    waiting: query.waiting,
    textPattern: query.q ? containsPattern(query.q) : undefined,
    from: toInstant('from', query.from),
    to: toInstant('to', query.to),
    data: typedDataFilters(pairs, fields),
  };
}

export async function listBusinessConversations(
  ctx: AppContext,
  principal: Principal,
  businessId: string,
  query: ConversationListQuery & Record<string, unknown>,
  page: Page,
  cursor?: string,
) {
  const viewer = viewerOf(principal);
  const filters = await conversationFiltersOf(ctx, principal, businessId, query);
  const after = cursor === undefined ? undefined : decodeInstantCursor(cursor);
  const [{ rows, total, next }, mask] = await Promise.all([
    listConversations(ctx.db, filters, page, viewer, after, LIST_COUNT_CAP),
    dataMaskFor(ctx, principal, businessId),
  ]);
  const now = new Date();
  return {
    conversations: rows.map((row) => serializeConversationSummary(row, now, mask)),
    total: Math.min(total, LIST_COUNT_CAP),
    total_capped: total > LIST_COUNT_CAP,
    page: page.page,
    per_page: page.perPage,
    next_cursor: next ? encodeCursor(next) : null,
  };
}

async function requireConversation(ctx: AppContext, conversationId: string, scope: string | undefined) {
  const conversation = await findConversation(ctx.db, conversationId, scope);
  if (!conversation) throw notFound('Conversation');
  return conversation;
}

export async function getConversationDetail(
  ctx: AppContext,
  principal: Principal,
  conversationId: string,
  scope: string | undefined,
) {
  const summary = await findConversationSummary(ctx.db, conversationId, scope, viewerOf(principal));
  if (!summary) throw notFound('Conversation');
  const [messageRows, transitions, mask] = await Promise.all([
    listMessages(ctx.db, conversationId),
    listStageTransitions(ctx.db, conversationId),
    dataMaskFor(ctx, principal, summary.conversation.businessId),
  ]);
  const conversation = serializeConversation(summary, new Date(), mask);
  return {
    conversation,
    customer: serializeCustomer(summary, mask),
    messages: messageRows.map((row) => serializeMessageWithExtracted(row, mask)),
    collected_data: conversation.collected_data,
    stage_transitions: transitions.map(({ transition: t, fromStageName, toStageName }) => ({
      stage_transition_id: t.stageTransitionId,
      from_stage_id: t.fromStageId,
      from_stage_name: fromStageName,
      to_stage_id: t.toStageId,
      to_stage_name: toStageName,
      message_id: t.messageId,
      reason: t.reason,
      created_at: t.createdAt.toISOString(),
    })),
  };
}

export async function listConversationMessages(
  ctx: AppContext,
  principal: Principal,
  conversationId: string,
  scope: string | undefined,
  page: Page,
  cursor?: string,
) {
  const afterSequence = cursor === undefined ? undefined : decodeSequenceCursor(cursor);
  const conversation = await requireConversation(ctx, conversationId, scope);
  const [rows, total, mask] = await Promise.all([
    listMessages(ctx.db, conversationId, page, afterSequence),
    countMessages(ctx.db, conversationId),
    dataMaskFor(ctx, principal, conversation.businessId),
  ]);
  const pageRows = rows.slice(0, page.perPage);
  const last = pageRows[pageRows.length - 1];
  return {
    messages: pageRows.map((row) => serializeMessageWithExtracted(row, mask)),
    total,
    total_capped: false,
    page: page.page,
    per_page: page.perPage,
    next_cursor: rows.length > page.perPage && last ? encodeCursor([last.message.sequenceNumber]) : null,
  };
}

/** The conversation as the caller sees it (their unread count), for the answers of the actions. */
export async function conversationView(ctx: AppContext, principal: Principal, conversationId: string) {
  const summary = await findConversationSummary(ctx.db, conversationId, undefined, viewerOf(principal));
  if (!summary) throw notFound('Conversation');
  return serializeConversation(summary);
}

/** What the audit log keeps of a conversation's inbox state. */
const inboxState = (row: ConversationRow) => ({
  status: row.status,
  assignee_id: row.assigneeAccountId,
  waiting_since: row.waitingSince?.toISOString() ?? null,
});

/** Tells live views who handles the conversation now. */
export function announceAssignment(ctx: AppContext, row: ConversationRow, assigneeName: string | null) {
  publishConversationEvent(ctx, {
    type: 'assignment',
    business_id: row.businessId,
    conversation_id: row.conversationId,
    assignee_id: row.assigneeAccountId,
    assignee_name: row.assigneeAccountId ? assigneeName : null,
  });
}

/**
 * PATCH: open or close (closing clears `waiting_since`) and/or (un)assign. The assignee must be a
 * member of the conversation's business. The change and its audit entry commit together; `status`
 * and `assignment` events follow for what changed.
 */
export async function updateConversationFields(
  ctx: AppContext,
  principal: Principal,
  conversationId: string,
  scope: string | undefined,
  input: { status?: 'active' | 'closed' | undefined; assignee_id?: string | null | undefined },
) {
  const current = await requireConversation(ctx, conversationId, scope);
  let assigneeName: string | null = null;
  if (input.assignee_id) {
    if (!(await isMemberOf(ctx.db, current.businessId, input.assignee_id))) {
      throw invalid('assignee_id must be a member of the business', {
        assignee_id: 'not a member of this business',
      });
    }
    assigneeName = await accountDisplayName(ctx.db, input.assignee_id);
  }
  const values: Parameters<typeof updateConversation>[3] = {};
  if (input.status !== undefined) values.status = input.status;
  if (input.status === 'closed') values.waitingSince = null;
  if (input.assignee_id !== undefined) values.assigneeAccountId = input.assignee_id;
  const row = await ctx.db.transaction(async (tx) => {
    const updated = await updateConversation(tx, conversationId, scope, values, input.status !== undefined);
    if (!updated) throw notFound('Conversation');
    await recordAudit(tx, actorOf(principal), {
      businessId: updated.businessId,
      action: 'update',
      entityType: 'conversation',
      entityId: conversationId,
      before: inboxState(current),
      after: inboxState(updated),
    });
    return updated;
  });
  if (input.status !== undefined && row.status !== current.status) {
    publishConversationEvent(ctx, {
      type: 'status',
      business_id: row.businessId,
      conversation_id: conversationId,
      status: row.status,
    });
  }
  if (input.assignee_id !== undefined && row.assigneeAccountId !== current.assigneeAccountId) {
    announceAssignment(ctx, row, assigneeName);
  }
  return conversationView(ctx, principal, conversationId);
}

export async function removeConversation(
  ctx: AppContext,
  principal: Principal,
  conversationId: string,
  scope: string | undefined,
) {
  const conversation = await requireConversation(ctx, conversationId, scope);
  if (!(await deleteConversation(ctx.db, conversationId, scope))) throw notFound('Conversation');
  await recordAudit(ctx.db, actorOf(principal), {
    businessId: conversation.businessId,
    action: 'delete',
    entityType: 'conversation',
    entityId: conversationId,
    before: { conversation_id: conversationId, user_id: conversation.userId, status: conversation.status },
    after: null,
  });
}

export async function getAiControl(ctx: AppContext, conversationId: string, scope: string | undefined) {
  return aiControlStatus(await requireConversation(ctx, conversationId, scope));
}

export async function setAiControl(
  ctx: AppContext,
  principal: Principal,
  conversationId: string,
  scope: string | undefined,
  input: { action: 'stop' | 'resume'; duration_hours?: number | undefined },
) {
  if (input.action === 'resume' && input.duration_hours !== undefined) {
    throw invalid('duration_hours applies only to stop', { duration_hours: 'only with action "stop"' });
  }
  const now = new Date();
  const values = input.action === 'stop' ? stopColumns(input.duration_hours, now) : RESUMED;
  const current = await requireConversation(ctx, conversationId, scope);
  const row = await ctx.db.transaction(async (tx) => {
    const updated = await updateConversation(tx, conversationId, scope, values, false);
    if (!updated) throw notFound('Conversation');
    await recordAudit(tx, actorOf(principal), {
      businessId: updated.businessId,
      action: input.action === 'stop' ? 'ai_stop' : 'ai_resume',
      entityType: 'conversation',
      entityId: conversationId,
      before: aiControlStatus(current, now),
      after: aiControlStatus(updated, now),
    });
    return updated;
  });
  publishConversationEvent(ctx, {
    type: 'ai',
    business_id: row.businessId,
    conversation_id: conversationId,
    is_stopped: input.action === 'stop',
    reason: 'agent',
  });
  return aiControlStatus(row, now);
}

/** A human's reply: stored as the next message (`sender_type: agent`); AI control is left as it is. */
export async function postAgentReply(
  ctx: AppContext,
  conversationId: string,
  scope: string | undefined,
  rawContent: string,
) {
  const content = rawContent.trim();
  if (!content) throw invalid('content must not be empty', { content: 'must not be empty' });
  if (content.length > ctx.config.maxMessageChars) {
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      `content is longer than ${ctx.config.maxMessageChars} characters`,
      {
        field_errors: { content: `at most ${ctx.config.maxMessageChars} characters` },
        max_chars: ctx.config.maxMessageChars,
      },
    );
  }
  const conversation = await requireConversation(ctx, conversationId, scope);
  await assertReplyWindowOpen(ctx, conversation);
  const message = await appendMessage(ctx.db, {
    conversationId,
    businessId: conversation.businessId,
    senderType: 'agent',
    content,
    status: outboundStatus(conversation.channel),
    channel: conversation.channel,
    stageId: conversation.stageId,
  });
  // Only a conversation deleted between the two statements gets here.
  if (!message) throw notFound('Conversation');
  await deliverAgentReply(ctx, conversation, message);
  return serializeMessage(message);
}

export async function getUserConversations(
  ctx: AppContext,
  principal: Principal,
  userId: string,
  scope: string | undefined,
) {
  const user = await findUser(ctx.db, userId, scope);
  if (!user) throw notFound('User');
  const rows = await listUserConversations(ctx.db, user.businessId, userId, viewerOf(principal));
  const mask = await dataMaskFor(ctx, principal, user.businessId);
  const messageRows = await listMessagesOf(
    ctx.db,
    user.businessId,
    rows.map((row) => row.conversation.conversationId),
  );
  const byConversation = new Map<string, ReturnType<typeof serializeMessageWithExtracted>[]>();
  for (const row of messageRows) {
    const list = byConversation.get(row.message.conversationId) ?? [];
    list.push(serializeMessageWithExtracted(row, mask));
    byConversation.set(row.message.conversationId, list);
  }
  const now = new Date();
  return {
    conversations: rows.map((row) => ({
      ...serializeConversationSummary(row, now, mask),
      messages: byConversation.get(row.conversation.conversationId) ?? [],
    })),
  };
}

/**
 * A member left the business: the conversations assigned to them are nobody's now (still waiting for
 * a person where they were), in the caller's transaction. Call the returned function after the commit
 * to tell the inboxes.
 */
export async function unassignLeavingMember(
  ctx: AppContext,
  tx: DbOrTx,
  businessId: string,
  accountId: string,
) {
  const rows = await unassignAccount(tx, businessId, accountId);
  return () => {
    for (const row of rows) announceAssignment(ctx, row, null);
  };
}

/**
 * The conversations matching the list's filters as CSV (newest activity first), with one column per
 * field (or the `columns` chosen); more than MAX_EXPORT_ROWS matches is a 413: narrow the filters.
 */
export async function exportConversationsCsv(
  ctx: AppContext,
  principal: Principal,
  businessId: string,
  query: ConversationListQuery & { columns?: string } & Record<string, unknown>,
) {
  const [filters, fields, mask] = await Promise.all([
    conversationFiltersOf(ctx, principal, businessId, query),
    readBusinessFields(ctx.db, businessId).then((list) => list ?? []),
    dataMaskFor(ctx, principal, businessId),
  ]);
  let chosen = fields;
  if (query.columns !== undefined) {
    const names = query.columns
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    const unknown = names.filter((name) => !fields.some((f) => f.name === name));
    if (unknown.length > 0) {
      throw invalid(`Unknown field in columns: ${unknown.join(', ')}`, {
        columns: `not fields of this business: ${unknown.join(', ')}`,
      });
    }
    chosen = names.map((name) => fields.find((f) => f.name === name)).filter((f) => f !== undefined);
  }
  const { total, rows } = await listConversationsForExport(ctx.db, filters, MAX_EXPORT_ROWS);
  if (total > MAX_EXPORT_ROWS) {
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      `More than ${MAX_EXPORT_ROWS} conversations match: narrow the filters (from/to, stage_id, status, data.<field>)`,
      { limit: MAX_EXPORT_ROWS },
    );
  }
  return conversationsCsv(rows, chosen, query.columns === undefined, mask);
}
