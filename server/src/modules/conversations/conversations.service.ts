import type { AppContext } from '../../context.js';
import { AppError, invalid, notFound } from '../../errors.js';
import type { Principal } from '../../lib/principal.js';
import type { Page } from '../../lib/schemas.js';
import { recordAudit } from '../audit/record-audit.js';
import { findUser } from '../users/index.js';
import { aiControlStatus, RESUMED, stopColumns } from './ai-control.js';
import {
  type ConversationFilters,
  countMessages,
  deleteConversation,
  findConversation,
  findConversationSummary,
  listConversations,
  listMessages,
  listMessagesOf,
  listStageTransitions,
  listUserConversations,
  updateConversation,
} from './conversations.repository.js';
import { DATA_FILTER_PREFIX } from './conversations.schemas.js';
import { deliverAgentReply, outboundStatus } from './deliver-agent-reply.js';
import { appendMessage } from './messages.repository.js';
import { assertReplyWindowOpen } from './reply-window.js';
import {
  serializeConversation,
  serializeConversationSummary,
  serializeMessage,
  serializeMessageWithExtracted,
} from './serialize-conversation.js';

const DATA_KEY = /^[A-Za-z0-9_]{1,64}$/;
const MAX_DATA_FILTERS = 20;

export interface ConversationListQuery {
  user_id?: string;
  status?: string;
  stage_id?: string;
  q?: string;
  from?: string;
  to?: string;
}

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

export async function listBusinessConversations(
  ctx: AppContext,
  businessId: string,
  query: ConversationListQuery & Record<string, unknown>,
  page: Page,
) {
  const filters: ConversationFilters = {
    businessId,
    userId: query.user_id,
    status: query.status,
    stageId: query.stage_id,
    textPattern: query.q ? containsPattern(query.q) : undefined,
    from: toInstant('from', query.from),
    to: toInstant('to', query.to),
    data: dataFiltersOf(query),
  };
  const { rows, total } = await listConversations(ctx.db, filters, page);
  const now = new Date();
  return {
    conversations: rows.map((row) => serializeConversationSummary(row, now)),
    total,
    page: page.page,
    per_page: page.perPage,
  };
}

async function requireConversation(ctx: AppContext, conversationId: string, scope: string | undefined) {
  const conversation = await findConversation(ctx.db, conversationId, scope);
  if (!conversation) throw notFound('Conversation');
  return conversation;
}

export async function getConversationDetail(
  ctx: AppContext,
  conversationId: string,
  scope: string | undefined,
) {
  const summary = await findConversationSummary(ctx.db, conversationId, scope);
  if (!summary) throw notFound('Conversation');
  const [messageRows, transitions] = await Promise.all([
    listMessages(ctx.db, conversationId),
    listStageTransitions(ctx.db, conversationId),
  ]);
  const conversation = serializeConversation(summary);
  return {
    conversation,
    messages: messageRows.map(serializeMessageWithExtracted),
    collected_data: conversation.collected_data,
    stage_transitions: transitions.map(({ transition: t, fromStageName, toStageName }) => ({
      stage_transition_id: t.stageTransitionId,
      from_stage_id: t.fromStageId,
      from_stage_name: fromStageName,
      to_stage_id: t.toStageId,
      to_stage_name: toStageName,
      message_id: t.messageId,
      created_at: t.createdAt.toISOString(),
    })),
  };
}

export async function listConversationMessages(
  ctx: AppContext,
  conversationId: string,
  scope: string | undefined,
  page: Page,
) {
  await requireConversation(ctx, conversationId, scope);
  const [rows, total] = await Promise.all([
    listMessages(ctx.db, conversationId, page),
    countMessages(ctx.db, conversationId),
  ]);
  return {
    messages: rows.map(serializeMessageWithExtracted),
    total,
    page: page.page,
    per_page: page.perPage,
  };
}

async function conversationView(ctx: AppContext, conversationId: string) {
  const summary = await findConversationSummary(ctx.db, conversationId, undefined);
  if (!summary) throw notFound('Conversation');
  return serializeConversation(summary);
}

export async function changeConversationStatus(
  ctx: AppContext,
  principal: Principal,
  conversationId: string,
  scope: string | undefined,
  status: 'active' | 'closed',
) {
  const row = await updateConversation(ctx.db, conversationId, scope, { status }, true);
  if (!row) throw notFound('Conversation');
  await recordAudit(ctx.db, principal, row.businessId, 'update', 'conversation', conversationId, { status });
  return conversationView(ctx, conversationId);
}

export async function removeConversation(
  ctx: AppContext,
  principal: Principal,
  conversationId: string,
  scope: string | undefined,
) {
  const conversation = await requireConversation(ctx, conversationId, scope);
  if (!(await deleteConversation(ctx.db, conversationId, scope))) throw notFound('Conversation');
  await recordAudit(ctx.db, principal, conversation.businessId, 'delete', 'conversation', conversationId);
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
  const row = await updateConversation(ctx.db, conversationId, scope, values, false);
  if (!row) throw notFound('Conversation');
  await recordAudit(ctx.db, principal, row.businessId, `ai_${input.action}`, 'conversation', conversationId, {
    duration_hours: input.duration_hours ?? null,
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

export async function getUserConversations(ctx: AppContext, userId: string, scope: string | undefined) {
  const user = await findUser(ctx.db, userId, scope);
  if (!user) throw notFound('User');
  const rows = await listUserConversations(ctx.db, user.businessId, userId);
  const messageRows = await listMessagesOf(
    ctx.db,
    user.businessId,
    rows.map((row) => row.conversation.conversationId),
  );
  const byConversation = new Map<string, ReturnType<typeof serializeMessageWithExtracted>[]>();
  for (const row of messageRows) {
    const list = byConversation.get(row.message.conversationId) ?? [];
    list.push(serializeMessageWithExtracted(row));
    byConversation.set(row.message.conversationId, list);
  }
  const now = new Date();
  return {
    conversations: rows.map((row) => ({
      ...serializeConversationSummary(row, now),
      messages: byConversation.get(row.conversation.conversationId) ?? [],
    })),
  };
}
