import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { AppContext } from '../../context.js';
import { createLiveStreams } from '../../lib/event-stream.js';
import { errorResponses } from '../../lib/schemas.js';
import { findWebVisitorUserId, subscribeConversationEvents } from '../conversations/index.js';
import {
  conversationVisitor,
  findVisibleMessage,
  findVisitorConversationId,
  listVisibleMessages,
  toWidgetMessage,
  type VisibleMessageRow,
} from './widget.repository.js';
import type { VisitorAuth } from './widget-visitor.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface RateLimit {
  keyGenerator: (request: FastifyRequest) => string;
  timeWindow: number;
  max: number;
}

/**
 * GET /api/widget/events: the visitor's live stream. Conversation events of every business pass
 * through this process; a stream forwards only those of its visitor's conversations — ownership
 * (conversation → web visitor id, which never changes) is looked up once per process and cached.
 * On (re)connect it first sends what the visitor missed after `Last-Event-ID` (or `?after=`).
 */
export function widgetEventsRoute(
  root: FastifyInstance,
  ctx: AppContext,
  visitorOf: VisitorAuth,
  rateLimit: RateLimit,
) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const owners = new LRUCache<string, { visitorId: string | null }>({ max: 50_000 });
  const streams = createLiveStreams(app, {
    metric: {
      name: 'icmp_widget_streams_open',
      help: 'Website widget live streams (GET /api/widget/events) open in this process',
      registry: ctx.metrics.registry,
    },
    heartbeatMs: ctx.config.eventStreamHeartbeatMs,
  });

  const ownerOf = async (businessId: string, conversationId: string) => {
    const cached = owners.get(conversationId);
    if (cached) return cached.visitorId;
    const visitorId = await conversationVisitor(ctx.db, businessId, conversationId);
    owners.set(conversationId, { visitorId });
    return visitorId;
  };

  app.get(
    '/api/widget/events',
    {
      config: { access: 'public', cors: false, rateLimit },
      schema: {
        tags: ['widget'],
        security: [{ bearerAuth: [] }],
        summary: 'Server-sent events for the visitor: new assistant and agent messages, typing',
        description:
          'Events: `ready` once connected, `message` (id = message id; data like GET /api/widget/messages items), ' +
          '`typing` `{on}`; `: ping` comments every 15 s. Send `Last-Event-ID` (or `?after=`) to catch up.',
        querystring: Type.Object({ after: Type.Optional(Type.String({ format: 'uuid' })) }),
        response: errorResponses(400, 401, 403, 429),
      },
    },
    async (request, reply) => {
      const visitor = await visitorOf(request, reply);
      const { businessId, visitorId } = visitor;
      const header = request.headers['last-event-id'];
      const lastEventId =
        typeof header === 'string' && UUID.test(header.trim()) ? header.trim() : request.query.after;
      const userId = await findWebVisitorUserId(ctx.db, businessId, visitorId);
      let conversationId = userId ? await findVisitorConversationId(ctx.db, businessId, userId) : null;

      let unsubscribe = () => {};
      const stream = streams.open(request, reply, { onClose: () => unsubscribe() });
      const sent = new Set<string>();
      const sendMessage = (row: VisibleMessageRow) => {
        if (sent.has(row.messageId)) return;
        sent.add(row.messageId);
        stream.send('message', toWidgetMessage(row), row.messageId);
      };

      // One task at a time, so events reach the visitor in the order they happened.
      let queue = Promise.resolve();
      const enqueue = (task: () => Promise<void>) => {
        queue = queue.then(task).catch((err) => request.log.warn({ err }, 'widget event not delivered'));
      };
      const isMine = async (id: string) => {
        if (id === conversationId) return true;
        if ((await ownerOf(businessId, id)) !== visitorId) return false;
        conversationId = id; // the visitor started a new conversation (in this tab or another)
        return true;
      };

      unsubscribe = subscribeConversationEvents(ctx, (event) => {
        if (event.business_id !== businessId) return;
        if (event.type === 'message') {
          enqueue(async () => {
            if (!(await isMine(event.conversation_id))) return;
            const row = await findVisibleMessage(ctx.db, businessId, event.conversation_id, event.message_id);
            if (row) sendMessage(row);
          });
        } else if (event.type === 'typing') {
          enqueue(async () => {
            if (await isMine(event.conversation_id)) stream.send('typing', { on: event.on });
          });
        }
      });
      stream.send('ready', { conversation_id: conversationId });
      if (lastEventId && conversationId) {
        const current = conversationId;
        enqueue(async () => {
          // An id of an earlier conversation (or none of ours): the whole current one; the widget
          // drops what it already shows.
          const rows =
            (await listVisibleMessages(ctx.db, businessId, current, lastEventId)) ??
            (await listVisibleMessages(ctx.db, businessId, current));
          for (const row of rows ?? []) sendMessage(row);
        });
      }
    },
  );
}
