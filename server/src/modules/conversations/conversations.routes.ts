import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { CursorListResponse, errorResponses, toPage } from '../../lib/schemas.js';
import { businessFilter, byResource, principalOf, scopeBusinessId } from '../../plugins/auth.js';
import { findUser } from '../users/index.js';
import { findConversation } from './conversations.repository.js';
import {
  AgentReplyBody,
  AiControlBody,
  AiControlStatus,
  Conversation,
  ConversationDetail,
  ConversationParams,
  ConversationSummary,
  ExportConversationsQuery,
  ListConversationsQuery,
  LlmCallList,
  LlmCallsQuery,
  MAX_EXPORT_ROWS,
  Message,
  MessagesQuery,
  UpdateConversationBody,
  UserConversations,
  UserParams,
} from './conversations.schemas.js';
import {
  exportConversationsCsv,
  getAiControl,
  getConversationDetail,
  getUserConversations,
  listBusinessConversations,
  listConversationMessages,
  postAgentReply,
  removeConversation,
  setAiControl,
  updateConversationFields,
} from './conversations.service.js';
import { listBusinessLlmCalls } from './llm-calls.service.js';

const tags = ['conversations'];
const ById = '/api/conversations/:conversation_id';

export const conversationRoutes = (ctx: AppContext) => async (root: FastifyInstance) => {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const conversationOwner = byResource(
    'conversation_id',
    async (id) => (await findConversation(ctx.db, id, undefined))?.businessId,
  );
  const userOwner = byResource('user_id', async (id) => (await findUser(ctx.db, id, undefined))?.businessId);

  app.get(
    '/api/conversations',
    {
      config: { access: { permission: 'read', business: 'query' } },
      schema: {
        tags,
        summary: 'List conversations (newest activity first)',
        description:
          'Filters (combinable): user_id, status, stage_id, channel, assignee_id (an account id, `me` or ' +
          '`none`), waiting, q (text in any message), from/to (last activity), and ' +
          '`data.<key>=<value>` on collected data. Simulator conversations only with `channel=simulator`. ' +
          "Sorted by last activity, newest first. Page with `cursor` (the previous page's `next_cursor`) " +
          'rather than deep page numbers; `total` stops at 1,000 (`total_capped`).',
        querystring: ListConversationsQuery,
        response: {
          200: CursorListResponse('conversations', ConversationSummary),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return listBusinessConversations(
        ctx,
        principal,
        scopeBusinessId(principal, request.query.business_id),
        request.query as typeof request.query & Record<string, unknown>,
        toPage(request.query),
        request.query.cursor,
      );
    },
  );

  app.get(
    '/api/conversations/export',
    {
      config: { access: { permission: 'read', business: 'query' } },
      schema: {
        tags,
        summary: 'The conversations matching the list filters as CSV, one column per field',
        description:
          'Same filters as GET /api/conversations (typed `data.<field>` filters included). Columns: ' +
          'conversation_id, user_id, customer, channel, status, stage, start_time, last_updated, then one per ' +
          'field of the business (`columns=a,b` to choose; without fields, collected_data as JSON). At most ' +
          `${MAX_EXPORT_ROWS.toLocaleString('en')} conversations, newest activity first; more is a 413. ` +
          "Cells a spreadsheet would read as a formula (= + - @) start with '. PII fields are masked for " +
          'viewers and read-only keys.',
        querystring: ExportConversationsQuery,
        response: {
          200: {
            description: 'CSV (RFC 4180, UTF-8, CRLF line ends) with a header row',
            content: { 'text/csv': { schema: Type.String() } },
          },
          ...errorResponses(400, 401, 403, 413),
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const businessId = scopeBusinessId(principal, request.query.business_id);
      const csv = await exportConversationsCsv(
        ctx,
        principal,
        businessId,
        request.query as typeof request.query & Record<string, unknown>,
      );
      const day = new Date().toISOString().slice(0, 10);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="conversations-${day}.csv"`)
        .header('cache-control', 'no-store')
        .send(csv);
    },
  );

  app.get(
    ById,
    {
      config: { access: { permission: 'read', business: conversationOwner } },
      schema: {
        tags,
        summary: 'A conversation with its messages, collected data and stage transitions',
        params: ConversationParams,
        response: { 200: ConversationDetail, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return getConversationDetail(ctx, principal, request.params.conversation_id, businessFilter(principal));
    },
  );

  app.get(
    `${ById}/messages`,
    {
      config: { access: { permission: 'read', business: conversationOwner } },
      schema: {
        tags,
        summary: 'A conversation’s messages in order',
        params: ConversationParams,
        querystring: MessagesQuery,
        response: { 200: CursorListResponse('messages', Message), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) =>
      listConversationMessages(
        ctx,
        principalOf(request),
        request.params.conversation_id,
        businessFilter(principalOf(request)),
        toPage(request.query),
        request.query.cursor,
      ),
  );

  app.patch(
    ById,
    {
      config: { access: { permission: 'converse', business: conversationOwner } },
      schema: {
        tags,
        summary: 'Open or close a conversation, or (un)assign it to a member of the business',
        params: ConversationParams,
        body: UpdateConversationBody,
        response: { 200: Conversation, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return updateConversationFields(
        ctx,
        principal,
        request.params.conversation_id,
        businessFilter(principal),
        request.body,
      );
    },
  );

  app.delete(
    ById,
    {
      config: { access: { permission: 'edit', business: conversationOwner } },
      schema: {
        tags,
        summary: 'Delete a conversation with its messages, extracted data and LLM calls',
        params: ConversationParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      await removeConversation(ctx, principal, request.params.conversation_id, businessFilter(principal));
      return reply.status(204).send(null);
    },
  );

  app.get(
    `${ById}/ai-control`,
    {
      config: { access: { permission: 'read', business: conversationOwner } },
      schema: {
        tags,
        summary: 'Whether the AI is paused for this conversation',
        params: ConversationParams,
        response: { 200: AiControlStatus, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) =>
      getAiControl(ctx, request.params.conversation_id, businessFilter(principalOf(request))),
  );

  app.post(
    `${ById}/ai-control`,
    {
      config: { access: { permission: 'converse', business: conversationOwner } },
      schema: {
        tags,
        summary: 'Pause the AI (for duration_hours, or until resumed) or resume it',
        params: ConversationParams,
        body: AiControlBody,
        response: { 200: AiControlStatus, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return setAiControl(
        ctx,
        principal,
        request.params.conversation_id,
        businessFilter(principal),
        request.body,
      );
    },
  );

  app.post(
    `${ById}/agent-reply`,
    {
      config: { access: { permission: 'converse', business: conversationOwner } },
      schema: {
        tags,
        summary: 'Store a human agent’s reply as the next message',
        params: ConversationParams,
        body: AgentReplyBody,
        response: { 201: Message, ...errorResponses(400, 401, 404, 409, 413) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await postAgentReply(
            ctx,
            request.params.conversation_id,
            businessFilter(principalOf(request)),
            request.body.content,
          ),
        ),
  );

  app.get(
    '/api/users/:user_id/conversations',
    {
      config: { access: { permission: 'read', business: userOwner } },
      schema: {
        tags: ['users', ...tags],
        summary: 'A customer’s conversations with their messages',
        params: UserParams,
        response: { 200: UserConversations, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return getUserConversations(ctx, principal, request.params.user_id, businessFilter(principal));
    },
  );

  app.get(
    '/api/llm-calls',
    {
      config: { access: { permission: 'read', business: 'query' } },
      schema: {
        tags: ['llm'],
        summary: 'The LLM call log, newest first',
        querystring: LlmCallsQuery,
        response: { 200: LlmCallList, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) =>
      listBusinessLlmCalls(
        ctx,
        principalOf(request),
        scopeBusinessId(principalOf(request), request.query.business_id),
        request.query,
      ),
  );
};
