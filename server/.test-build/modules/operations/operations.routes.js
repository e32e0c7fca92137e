import { createHash, timingSafeEqual } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { errorResponses, Timestamp } from '../../lib/schemas.js';
import { metricsOfCluster } from '../../plugins/metrics.js';
import { APP_VERSION } from '../../version.js';
const tags = ['operations'];
const HEALTH_TIMEOUT_MS = 2000;
const Health = Type.Object({
    status: Type.Union([Type.Literal('healthy'), Type.Literal('unhealthy'), Type.Literal('shutting_down')], {
        description: '`shutting_down`: the process is finishing its work before it exits; send elsewhere',
    }),
    timestamp: Timestamp,
    version: Type.String(),
    database: Type.Union([Type.Literal('connected'), Type.Literal('unreachable')]),
    database_kind: Type.String(),
}, { $id: 'Health' });
const Pong = Type.Object({ response: Type.Literal('pong'), timestamp: Timestamp }, { $id: 'Pong' });
const RuntimeSettings = Type.Object({
    llm_mode: Type.Union([Type.Literal('offline'), Type.Literal('openai'), Type.Literal('anthropic')]),
    model: Type.Union([Type.String(), Type.Null()]),
    version: Type.String(),
    database: Type.Union([Type.Literal('pglite'), Type.Literal('postgres')]),
    max_message_chars: Type.Integer(),
}, { $id: 'RuntimeSettings' });
async function databaseReachable(ctx) {
    let timer;
    const timeout = new Promise((resolve) => {
        timer = setTimeout(() => resolve(false), HEALTH_TIMEOUT_MS);
    });
    const ping = ctx.database.ping().then(() => true, () => false);
    const reachable = await Promise.race([ping, timeout]);
    clearTimeout(timer);
    return reachable;
}
const digest = (text) => createHash('sha256').update(text).digest();
/** Whether the request carries METRICS_TOKEN as its bearer token (compared in constant time). */
function hasMetricsToken(ctx, authorization) {
    const token = ctx.config.metricsToken;
    const given = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    return Boolean(token && given && timingSafeEqual(digest(given), digest(token)));
}
export const operationsRoutes = (ctx) => async (root) => {
    const app = root.withTypeProvider();
    // Under WEB_CONCURRENCY the primary sums every worker's registry; a single process reads its own.
    const metricsText = async () => {
        const cluster = metricsOfCluster();
        if (cluster) {
            const { contentType, text } = await cluster;
            return { type: contentType, text };
        }
        return { type: ctx.metrics.registry.contentType, text: await ctx.metrics.registry.metrics() };
    };
    app.get('/health', {
        config: { access: 'public' },
        schema: {
            tags,
            summary: 'Liveness and database reachability (503 while unreachable or shutting down)',
            response: { 200: Health, 503: Health },
        },
    }, async (_request, reply) => {
        const reachable = await databaseReachable(ctx);
        const stopping = ctx.lifecycle.shuttingDown;
        return reply.status(reachable && !stopping ? 200 : 503).send({
            status: stopping ? 'shutting_down' : reachable ? 'healthy' : 'unhealthy',
            timestamp: new Date().toISOString(),
            version: APP_VERSION,
            database: reachable ? 'connected' : 'unreachable',
            database_kind: ctx.database.kind,
        });
    });
    app.get('/ping', {
        config: { access: 'public' },
        schema: {
            tags,
            response: { 200: Pong },
        },
    }, async () => ({ response: 'pong', timestamp: new Date().toISOString() }));
    app.get('/api/settings/runtime', {
        config: { access: 'any' },
        schema: {
            tags,
            summary: 'How this installation answers: LLM provider or offline engine',
            response: {
                200: RuntimeSettings,
                ...errorResponses(401),
            },
        },
    }, async () => ({
        llm_mode: (ctx.llm?.provider ?? 'offline'),
        model: ctx.llm?.defaultModel ?? null,
        version: APP_VERSION,
        database: ctx.database.kind,
        max_message_chars: ctx.config.maxMessageChars,
    }));
    app.get('/metrics', {
        config: { access: 'master' },
        schema: {
            tags,
            summary: 'Prometheus metrics',
            description: 'The master key, or METRICS_TOKEN as a bearer token when it is set (that token opens nothing else).',
            response: { 200: Type.String(), ...errorResponses(401, 403) },
        },
        // METRICS_TOKEN answers here, before the credential check that knows only keys and sessions;
        // anything else (a wrong token too) goes on to that check.
        onRequest: async (request, reply) => {
            if (!hasMetricsToken(ctx, request.headers.authorization))
                return;
            const { type, text } = await metricsText();
            return reply.type(type).send(text);
        },
    }, async (_request, reply) => {
        const { type, text } = await metricsText();
        return reply.type(type).send(text);
    });
};
//# sourceMappingURL=operations.routes.js.map