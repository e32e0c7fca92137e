import { Type } from '@sinclair/typebox';
import { createLiveStreams } from '../../lib/event-stream.js';
import { permissionsIn } from '../../lib/principal.js';
import { errorResponses, Uuid } from '../../lib/schemas.js';
import { principalOf, scopeBusinessId } from '../../plugins/auth.js';
import { ConversationEventLog } from './conversation-event-log.js';
import { subscribeConversationEvents } from './conversation-events.js';
import { ConversationEventSchema } from './conversation-events.schemas.js';
/** How long an EventSource waits before reconnecting (the `retry:` field). */
export const RETRY_MS = 3000;
export const ConversationEventsQuery = Type.Object({
    business_id: Type.Optional(Uuid),
    last_event_id: Type.Optional(Type.String({
        maxLength: 64,
        description: 'Like the Last-Event-ID header (which wins when both are sent)',
    })),
});
/**
 * GET /api/conversations/events: the live inbox. Every conversation event this process hears (its
 * own and, through the bus, every other process's) is numbered in a bounded per-process log and
 * fanned out to the open streams of its business. A reconnect with `Last-Event-ID` replays from the
 * log, or answers `resync` when it cannot.
 *
 * A stream outlives the request's authentication, so its credential is checked again with every
 * heartbeat (a signed-out session, a deleted key, a removed member: the stream ends within one
 * heartbeat interval, and the browser's reconnect gets 401/403), and at once when a key of the
 * business changes or the business does (bus topics `business-key`, `business`).
 */
export const conversationEventRoutes = (ctx) => async (root) => {
    const app = root.withTypeProvider();
    const log = new ConversationEventLog();
    /** Open streams by business: an event costs only its own business's streams. */
    const open = new Map();
    const add = (stream) => {
        const set = open.get(stream.businessId) ?? new Set();
        open.set(stream.businessId, set.add(stream));
    };
    const remove = (stream) => {
        const set = open.get(stream.businessId);
        if (set?.delete(stream) && set.size === 0)
            open.delete(stream.businessId);
    };
    subscribeConversationEvents(ctx, (event) => {
        const entry = log.append(event);
        for (const stream of open.get(event.business_id) ?? [])
            stream.send(entry);
    });
    ctx.bus.onGap(() => {
        log.forget();
        for (const set of open.values())
            for (const stream of set)
                stream.resync();
    });
    const recheckBusiness = (businessId) => {
        for (const stream of open.get(businessId) ?? [])
            stream.recheck();
    };
    ctx.bus.subscribe('business-key', recheckBusiness);
    ctx.bus.subscribe('business', recheckBusiness);
    const streams = createLiveStreams(app, {
        metric: {
            name: 'icmp_inbox_streams_open',
            help: 'Live inbox streams (GET /api/conversations/events) open in this process',
            registry: ctx.metrics.registry,
        },
        heartbeatMs: ctx.config.eventStreamHeartbeatMs,
    });
    app.get('/api/conversations/events', {
        config: { access: { permission: 'converse', business: 'query' } },
        schema: {
            tags: ['conversations'],
            summary: 'Server-sent events of a business’s conversations, for the live inbox',
            description: '`text/event-stream`. First `ready` (`{}`), then one event per change with `id`, `event` = the ' +
                'type (message, typing, delivery, stage, ai, handoff, assignment, status, note, conversation) and ' +
                '`data` = the event as JSON (`{type, business_id, conversation_id, …}`); `: ping` comments every ' +
                '15 s; `retry: 3000`. Reconnect with `Last-Event-ID` (or `?last_event_id=`) to get what was ' +
                'missed; when that cannot be done the server sends `resync` (`{}`): refetch. The stream ends ' +
                'when the session or key stops being valid.',
            querystring: ConversationEventsQuery,
            response: {
                200: {
                    description: 'The stream; each `data` is one ConversationEvent',
                    content: { 'text/event-stream': { schema: ConversationEventSchema } },
                },
                ...errorResponses(400, 401, 403, 429),
            },
        },
    }, async (request, reply) => {
        const businessId = scopeBusinessId(principalOf(request), request.query.business_id);
        const header = request.headers['last-event-id'];
        const lastEventId = (typeof header === 'string' && header.trim()) || request.query.last_event_id;
        let checking = false;
        let stream;
        const entry = {
            businessId,
            send: (logged) => stream?.send(logged.event.type, logged.event, logged.id),
            resync: () => stream?.send('resync', {}, log.headId),
            recheck: () => {
                if (checking)
                    return;
                checking = true;
                app
                    .currentPrincipal(request)
                    .then((principal) => {
                    if (!principal || !permissionsIn(principal, businessId).includes('read'))
                        stream?.finish();
                })
                    .catch((err) => request.log.warn({ err }, 'inbox stream: credential check failed'))
                    .finally(() => {
                    checking = false;
                });
            },
        };
        stream = streams.open(request, reply, {
            retryMs: RETRY_MS,
            onHeartbeat: entry.recheck,
            onClose: () => remove(entry),
        });
        // From here to `open.add` nothing awaits: no event can fall between the replay and the live ones.
        if (!lastEventId) {
            // The head id: a reconnect before any event still gets what happened in between.
            stream.send('ready', {}, log.headId);
        }
        else {
            stream.send('ready', {});
            const replay = log.since(lastEventId, businessId);
            if (replay.kind === 'resync')
                entry.resync();
            else
                for (const logged of replay.events)
                    entry.send(logged);
        }
        add(entry);
    });
};
//# sourceMappingURL=conversation-events.routes.js.map