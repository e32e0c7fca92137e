import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { AppError, notFound } from '../../errors.js';
import { startEventStream } from '../../lib/event-stream.js';
import { errorResponses } from '../../lib/schemas.js';
import { toAppError } from '../../plugins/error-handler.js';
import { findWebChannelByKey } from '../channels/channels.service.js';
import { findWebVisitorUserId } from '../conversations/index.js';
import type { ConversationProcessor } from '../pipeline/conversation-processor.js';
import { handleInboundMessage } from '../pipeline/handle-inbound-message.js';
import type { MessageResponse } from '../pipeline/message.schemas.js';
import { acceptableContent } from '../pipeline/message-content.js';
import type { VisitorTokens } from './visitor-token.js';
import {
  findVisitorConversationId,
  listVisibleMessages,
  toWidgetMessage,
  visitorCustomer,
} from './widget.repository.js';
import {
  HistoryQuery,
  HistoryResponse,
  SessionBody,
  SessionResponse,
  WidgetMessageBody,
  WidgetReply,
} from './widget.schemas.js';
import { checkOrigin, normalizeOrigin, registerWidgetCors } from './widget-cors.js';
import { widgetEventsRoute } from './widget-events.js';
import { createVisitorAuth, visitorRateKey } from './widget-visitor.js';

const tags = ['widget'];
// The Bearer credential of these routes is the visitor token, never an API key.
const bearerAuth = [{ bearerAuth: [] }];

/** Only what a visitor may see of a turn: no stage, extracted data, prompts or steps. */
const toWidgetReply = (result: MessageResponse) => ({
  success: result.success,
  response: result.response,
  conversation_id: result.conversation_id,
  message_id: result.message_id,
  response_id: result.response_id,
  ai_stopped: result.ai_stopped,
});

/** The website widget's API (api.md "Web chat widget"), with its own per-request CORS. */
export const widgetRoutes =
  (ctx: AppContext, processor: ConversationProcessor, tokens: VisitorTokens) =>
  async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    registerWidgetCors(app);
    const visitorOf = createVisitorAuth(ctx, tokens);
    const ownOrigin = normalizeOrigin(ctx.config.publicUrl);
    const perMinute = ctx.config.rateLimitPerMinute;
    const byVisitor = { keyGenerator: visitorRateKey, timeWindow: 60_000 };

    // Preflights are answered by the CORS hook; this route only makes them routable.
    app.options(
      '/api/widget/*',
      { schema: { hide: true }, config: { access: 'public', cors: false } },
      async () => undefined,
    );

    app.post(
      '/api/widget/sessions',
      {
        config: { access: 'public', cors: false, rateLimit: { ...byVisitor, max: perMinute } },
        schema: {
          tags,
          summary: 'Open (or resume) a visitor session of the web chat',
          security: [],
          description:
            "Called by widget.js from the business's site: the `Origin` must be one of the web channel's " +
            '`allowed_origins` and the channel enabled (else 403); an unknown or rotated key → 401. A valid ' +
            '`visitor_token` resumes that visitor; without one a new visitor token is issued.',
          body: SessionBody,
          response: { 200: SessionResponse, ...errorResponses(400, 401, 403, 429) },
        },
      },
      async (request, reply) => {
        const channel = await findWebChannelByKey(ctx, request.body.key);
        if (!channel) throw new AppError('AUTHENTICATION_ERROR', 'The publishable key is not valid');
        if (!channel.enabled) throw new AppError('AUTHORIZATION_ERROR', 'The web chat is not enabled');
        checkOrigin(request, reply, channel.allowedOrigins, ownOrigin, true);
        let visitorToken = request.body.visitor_token;
        let identity = visitorToken ? tokens.verify(visitorToken) : null;
        if (visitorToken && identity?.businessId !== channel.businessId) {
          throw new AppError('AUTHENTICATION_ERROR', 'The visitor token is not valid for this business');
        }
        if (!visitorToken || !identity) {
          visitorToken = tokens.issue(channel.businessId);
          identity = tokens.verify(visitorToken);
        }
        const userId = identity
          ? await findWebVisitorUserId(ctx.db, channel.businessId, identity.visitorId)
          : null;
        return {
          visitor_token: visitorToken,
          conversation_id: userId
            ? await findVisitorConversationId(ctx.db, channel.businessId, userId)
            : null,
          title: channel.title,
          greeting: channel.greeting,
          color: channel.color,
        };
      },
    );

    app.post(
      '/api/widget/messages',
      {
        config: { access: 'public', cors: false, rateLimit: { ...byVisitor, max: Math.min(perMinute, 30) } },
        schema: {
          tags,
          security: bearerAuth,
          summary: "Send the visitor's message; the reply comes back as JSON or streamed",
          description:
            'Like POST /api/message (`Accept: text/event-stream` streams `token` events and a final `done`), ' +
            'without stage, extracted data or processing steps. 202 with `ai_stopped` when a person answers.',
          body: WidgetMessageBody,
          response: { 200: WidgetReply, 202: WidgetReply, ...errorResponses(400, 401, 403, 413, 429) },
        },
      },
      async (request, reply) => {
        const visitor = await visitorOf(request, reply);
        // Checked before the visitor's user is created, so an empty or huge message leaves no trace.
        const content = acceptableContent(request.body.content, ctx.config.maxMessageChars);
        // The visitor's user is found inside the message's insert, or created with their first message.
        const input = {
          businessId: visitor.businessId,
          content,
          channel: 'web',
          webVisitor: visitorCustomer(visitor.visitorId),
        };

        if (!String(request.headers.accept ?? '').includes('text/event-stream')) {
          const result = await handleInboundMessage(ctx, processor, input);
          return reply.status(result.ai_stopped ? 202 : 200).send(toWidgetReply(result));
        }
        const stream = startEventStream(reply);
        const send = stream.send;
        try {
          const result = await handleInboundMessage(ctx, processor, input, {
            onToken: (text) => send('token', { text }),
          });
          send('done', toWidgetReply(result));
        } catch (error) {
          const appError = toAppError(error as Parameters<typeof toAppError>[0]);
          if (appError.statusCode >= 500) request.log.error({ err: error }, 'widget message failed');
          send('error', { error: { code: appError.code, message: appError.message } });
        } finally {
          stream.end();
        }
      },
    );

    app.get(
      '/api/widget/messages',
      {
        config: { access: 'public', cors: false, rateLimit: { ...byVisitor, max: perMinute } },
        schema: {
          tags,
          security: bearerAuth,
          summary: "The visitor's transcript (customer, assistant and agent messages)",
          description:
            'The latest 200, or those after `after` (a message of the same conversation, else 404).',
          querystring: HistoryQuery,
          response: { 200: HistoryResponse, ...errorResponses(400, 401, 403, 404, 429) },
        },
      },
      async (request, reply) => {
        const visitor = await visitorOf(request, reply);
        const userId = await findWebVisitorUserId(ctx.db, visitor.businessId, visitor.visitorId);
        const conversationId = userId
          ? await findVisitorConversationId(ctx.db, visitor.businessId, userId)
          : null;
        if (!conversationId) {
          if (request.query.after) throw notFound('Message');
          return { messages: [] };
        }
        const rows = await listVisibleMessages(
          ctx.db,
          visitor.businessId,
          conversationId,
          request.query.after,
        );
        if (!rows) throw notFound('Message');
        return { messages: rows.map(toWidgetMessage) };
      },
    );

    widgetEventsRoute(app, ctx, visitorOf, { ...byVisitor, max: perMinute });
  };
