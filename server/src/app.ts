import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { constants as zlibConstants } from 'node:zlib';
import compress from '@fastify/compress';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { createInvalidationBus, type InvalidationBus } from './cache/invalidation-bus.js';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import type { Database } from './db/client.js';
import { AppError } from './errors.js';
import { concurrencyLimit } from './lib/concurrency-limit.js';
import { createMailer, type Mailer } from './lib/mailer.js';
import { redactUrl } from './lib/redact-url.js';
import { createSecretBox, resolveSecretsKey } from './lib/secret-box.js';
import { startTracing, tracing } from './lib/tracing.js';
import { allowedModels, createLlmClient } from './llm/llm-client.js';
import { agentRoutes } from './modules/agents/agents.routes.js';
import { analyticsRoutes } from './modules/analytics/analytics.routes.js';
import { llmUsageRoutes } from './modules/analytics/llm-usage.routes.js';
import { createCommittedRowsFold, createRollupCompaction } from './modules/analytics/rollup-compaction.js';
import { apiKeyRoutes } from './modules/api-keys/api-keys.routes.js';
import { auditRoutes } from './modules/audit/audit.routes.js';
import { authRoutes } from './modules/auth/auth.routes.js';
import { memberRoutes } from './modules/auth/members.routes.js';
import { businessRoutes } from './modules/businesses/businesses.routes.js';
import { cannedReplyRoutes } from './modules/canned-replies/canned-replies.routes.js';
import { channelRoutes } from './modules/channels/channels.routes.js';
import { createProfileLookups } from './modules/channels/messenger/profile-lookup.js';
import { createDeliveryWorker } from './modules/channels/meta/delivery-worker.js';
import { metaChannelRoutes } from './modules/channels/meta/meta-channel.routes.js';
import { metaWebhookRoutes } from './modules/channels/meta/meta-webhook.routes.js';
import { createTypingIndicators } from './modules/channels/meta/typing-indicator.js';
import { createBusinessConfigCache } from './modules/config-cache/business-config-cache.js';
import { collectedDataRoutes } from './modules/conversations/collected-data.routes.js';
import { conversationActionRoutes } from './modules/conversations/conversation-actions.routes.js';
import { conversationEventRoutes } from './modules/conversations/conversation-events.routes.js';
import { conversationRoutes } from './modules/conversations/conversations.routes.js';
import { conversationNoteRoutes } from './modules/conversations/notes.routes.js';
import { fieldRoutes } from './modules/fields/fields.routes.js';
import { createTestRunner, goldenTestRoutes } from './modules/golden-tests/index.js';
import { operationsRoutes, registerBacklogMetrics } from './modules/operations/index.js';
import { ConversationProcessor, type TakenAtInsert } from './modules/pipeline/conversation-processor.js';
import { messageRoutes } from './modules/pipeline/message.routes.js';
import { createPendingRecovery } from './modules/pipeline/recover-pending.js';
import { templateTestRoutes } from './modules/pipeline/template-test.routes.js';
import { TurnScheduler } from './modules/pipeline/turn-scheduler.js';
import { releaseRoutes } from './modules/releases/releases.routes.js';
import { stageRoutes } from './modules/stages/stages.routes.js';
import { templateRoutes } from './modules/templates/templates.routes.js';
import { userRoutes } from './modules/users/users.routes.js';
import { createVisitorTokens, visitorTokenKey } from './modules/widget/visitor-token.js';
import { widgetRoutes } from './modules/widget/widget.routes.js';
import { DEFAULT_WIDGET_DIST, widgetScriptRoutes } from './modules/widget/widget-script.routes.js';
import { createKeyResolver, registerAuth } from './plugins/auth.js';
import { createFailureBudget } from './plugins/auth-failures.js';
import { registerErrorHandler, renderFrameworkError, writeClientError } from './plugins/error-handler.js';
import { createMetrics, enableClusterMetrics, registerRequestMetrics } from './plugins/metrics.js';
import { registerRateLimit } from './plugins/rate-limit.js';
import { registerSecurityHeaders } from './plugins/security-headers.js';
import { registerSwagger } from './plugins/swagger.js';
import { createSchemaController } from './plugins/validation.js';
import { registerWebApp } from './plugins/web-app.js';
import { APP_VERSION } from './version.js';

/** How long webhook turns may wait for the deliveries being stored (TurnScheduler's hold). */
const WEBHOOK_ACK_HOLD_MS = 20;
export interface AppDependencies {
  database: Database;
  /** SHA-256 of the master key (the key itself is never kept in memory longer than start-up). */
  masterKeyHash: string;
  bus?: InvalidationBus;
  /** Key sealing channel secrets (main.ts: CHANNEL_SECRETS_KEY or DATA_DIR); default: the env's or per process. */
  secretsKey?: Buffer;
  /** Where invitation and password-reset mail goes (tests capture it); default: SMTP_URL or the log. */
  mailer?: Mailer;
}

export type App = FastifyInstance;

/** JSON responses from this size are compressed (brotli or gzip, as the client accepts). */
const COMPRESS_THRESHOLD_BYTES = 8 * 1024;

declare module 'fastify' {
  interface FastifyInstance {
    /** Starts work that outlives requests (pending-message recovery); not started in tests unless asked. */
    startBackgroundWork?: () => Promise<void>;
    llmDescription?: string;
    /** Processes messages left pending (crash, dropped request); runs periodically once started. */
    sweepPendingMessages?: () => Promise<void>;
    /** Sends every due WhatsApp/Messenger reply now; resolves when none is left (tests, bench). */
    drainOutbox?: () => Promise<void>;
    /** Resolves when this process runs no golden-test run (tests). */
    testRunsIdle?: () => Promise<void>;
    /** Takes over the test runs whose process died (expired lease); runs periodically once started. */
    sweepTestRuns?: () => Promise<void>;
    /** Resolves when no webhook turn is queued or running in this process (tests). */
    backgroundTurnsIdle?: () => Promise<void>;
    /**
     * Graceful shutdown, first step: /health turns 503 `shutting_down` and new requests are refused
     * with 503 and `Connection: close`, while requests already running finish.
     */
    beginShutdown: () => void;
    /** Shutdown past its deadline: frees the turn leases this process holds (see ConversationProcessor). */
    releaseTurnLeases: () => Promise<number>;
  }
}

const REDACTED = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.api_key',
  '*.apiKey',
  '*.access_token',
  '*.page_access_token',
  '*.app_secret',
  '*.verify_token',
];

/** TRUST_PROXY as Fastify takes it: false, the proxies' addresses, or the first `n` hops. */
function fastifyTrustProxy(trust: Config['trustProxy']) {
  if (typeof trust === 'number') return (_address: string, hop: number) => hop < trust;
  return typeof trust === 'object' ? [...trust] : trust;
}

export async function buildApp(config: Config, deps: AppDependencies): Promise<App> {
  // Off unless an OTLP endpoint is configured; then the OpenTelemetry modules are loaded here.
  const stopTracing = await startTracing(config.otel && { ...config.otel, serviceVersion: APP_VERSION });
  const trace = tracing();
  const app = Fastify({
    ...(trace.enabled
      ? {
          // The server Fastify would make (its timeouts), with each request run inside its span.
          serverFactory: (
            handler: (req: IncomingMessage, res: ServerResponse) => void,
            options: Record<string, unknown>,
          ) => {
            const server = createServer((req, res) => trace.serve(req, res, () => handler(req, res)));
            server.keepAliveTimeout = Number(options.keepAliveTimeout);
            server.requestTimeout = Number(options.requestTimeout);
            server.setTimeout(Number(options.connectionTimeout));
            return server;
          },
        }
      : {}),
    logger:
      config.logLevel === 'silent'
        ? false
        : { level: config.logLevel, redact: { paths: REDACTED, censor: '[redacted]' } },
    // One access-log line per request, on completion (below), instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    // Our own hook answers during shutdown (the error envelope; /health says `shutting_down`).
    return503OnClosing: false,
    trustProxy: fastifyTrustProxy(config.trustProxy),
    genReqId: (request) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    },
    schemaController: createSchemaController(),
    frameworkErrors: renderFrameworkError,
    clientErrorHandler: writeClientError,
  }).withTypeProvider<TypeBoxTypeProvider>();

  const bus =
    deps.bus ??
    (await createInvalidationBus({
      redisUrl: config.redisUrl,
      databaseUrl: deps.database.kind === 'postgres' ? config.databaseUrl : undefined,
      onError: (err) => app.log.warn({ err }, 'invalidation bus connection'),
    }));
  app.addHook('onClose', stopTracing);
  const metrics = createMetrics({
    statementCount: () => deps.database.statementCount(),
    poolStats: () => deps.database.poolStats(),
    busConnected: () => bus.connected(),
    knownModels: allowedModels(config),
  });
  registerBacklogMetrics(metrics.registry, deps.database.db);
  enableClusterMetrics(metrics.registry);
  const secretsKey = deps.secretsKey ?? resolveSecretsKey(config.channelSecretsKey, null);
  const resolveKey = createKeyResolver({ db: deps.database.db, masterKeyHash: deps.masterKeyHash, bus });
  const failures = await createFailureBudget(config.redisUrl, deps.masterKeyHash, bus);
  app.addHook('onClose', async () => failures.close());
  const context: AppContext = {
    config,
    database: deps.database,
    db: deps.database.db,
    bus,
    metrics,
    resolveKey,
    configCache: createBusinessConfigCache({ db: deps.database.db, bus }),
    llm: createLlmClient(config),
    secretBox: createSecretBox(secretsKey),
    failures,
    mailer: deps.mailer ?? createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom }, app.log),
    dashboardSlots: concurrencyLimit(Math.max(1, Math.floor(config.dbPoolSize / 2))),
    lifecycle: { shuttingDown: false },
  };
  app.decorate('beginShutdown', () => {
    context.lifecycle.shuttingDown = true;
  });
  // Hooks whose work is synchronous take Fastify's `done`: an async one costs every request a promise
  // and a microtask (twenty-ninth pass).
  //
  // While shutting down, a request that arrives on a kept-alive connection is turned away (the load
  // balancer retries it elsewhere) and the connection closed; /health says why.
  app.addHook('onRequest', (request, reply, done) => {
    if (!context.lifecycle.shuttingDown || request.url === '/health') return done();
    reply.header('connection', 'close');
    done(new AppError('SERVICE_ERROR', 'This server is shutting down; retry the request'));
  });
  // A response finished during shutdown closes its connection: a kept-alive one would hold
  // server.close() open until its keep-alive timeout.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (context.lifecycle.shuttingDown) reply.header('connection', 'close');
    done(null, payload);
  });

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  // The access log: one line when the response is sent (Fastify's default also logs every request's
  // arrival — two serialised lines per request on the hot path at the default level).
  app.addHook('onResponse', (request, reply, done) => {
    request.log.info(
      {
        method: request.method,
        url: redactUrl(request.url),
        statusCode: reply.statusCode,
        responseTime: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request completed',
    );
    done();
  });
  if (!deps.bus) app.addHook('onClose', async () => bus.close());

  const isWebAppRoute = await registerWebApp(app, config.webDistDir);
  registerErrorHandler(app, isWebAppRoute);
  // Large JSON only (lists, /openapi.json): a single resource stays under the threshold, and
  // POST /api/message (whose processing_steps quote the prompts) opts out, so the hot path pays nothing.
  // Static files arrive precompressed; streams are not touched.
  await app.register(compress, {
    threshold: COMPRESS_THRESHOLD_BYTES,
    encodings: ['br', 'gzip'],
    customTypes: /^application\/json/,
    globalDecompression: false,
    brotliOptions: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4 } },
  });
  await app.register(cookie);
  registerSecurityHeaders(app);
  await app.register(cors, {
    origin: config.corsOrigins.length ? [...config.corsOrigins] : false,
    credentials: true,
  });
  await registerRateLimit(app, { perMinute: config.rateLimitPerMinute, redisUrl: config.redisUrl });
  registerAuth(app, {
    db: deps.database.db,
    resolveKey,
    failures,
    masterKeyHash: deps.masterKeyHash,
    sessionIdleMinutes: config.sessionIdleMinutes,
    allowedOrigins: [new URL(config.publicUrl).origin, ...config.corsOrigins],
  });
  // Routes whose body is EmptyBody accept a request without one.
  app.addHook('preValidation', (request, _reply, done) => {
    const body = request.routeOptions.schema?.body as { $id?: string } | undefined;
    if (request.body === undefined && body?.$id === 'EmptyBody') request.body = {};
    done();
  });
  registerRequestMetrics(app, metrics);
  if (trace.enabled) {
    app.addHook('onRequest', (request, _reply, done) => {
      if (request.routeOptions.url && !request.is404)
        trace.nameRequest(request.raw, request.routeOptions.url);
      done();
    });
  }
  await registerSwagger(app);

  await app.register(operationsRoutes(context));
  await app.register(authRoutes(context));
  await app.register(memberRoutes(context));
  await app.register(apiKeyRoutes(context));
  await app.register(businessRoutes(context));
  await app.register(channelRoutes(context));
  await app.register(userRoutes(context));
  await app.register(agentRoutes(context));
  await app.register(conversationRoutes(context));
  await app.register(conversationActionRoutes(context));
  await app.register(conversationNoteRoutes(context));
  await app.register(collectedDataRoutes(context));
  await app.register(cannedReplyRoutes(context));
  await app.register(conversationEventRoutes(context));
  await app.register(templateRoutes(context));
  await app.register(stageRoutes(context));
  await app.register(analyticsRoutes(context));
  await app.register(llmUsageRoutes(context));
  await app.register(auditRoutes(context));
  await app.register(releaseRoutes(context));
  await app.register(fieldRoutes(context));

  const processor = new ConversationProcessor(context, context.llm);
  await app.register(messageRoutes(context, processor));
  await app.register(templateTestRoutes(context));
  const testRunner = createTestRunner(context, (err, runId) =>
    app.log.error({ err, runId }, 'a test run failed'),
  );
  await app.register(goldenTestRoutes(context, testRunner));
  await app.register(widgetScriptRoutes(config.widgetDistDir ?? DEFAULT_WIDGET_DIST));
  await app.register(widgetRoutes(context, processor, createVisitorTokens(visitorTokenKey(secretsKey))));
  app.decorate(
    'llmDescription',
    context.llm
      ? `${context.llm.provider} (${context.llm.defaultModel})`
      : 'offline engine (no LLM configured)',
  );
  // Webhook turns run after the ack through a bounded FIFO queue, so a burst of webhooks cannot
  // starve the acknowledgements (and the synchronous API turns, which do not queue). While deliveries
  // are being stored, turns wait up to WEBHOOK_ACK_HOLD_MS (ARCHITECTURE.md, "WhatsApp and Messenger
  // webhooks", has the bench figures for this value and a longer one).
  const backgroundTurns = new TurnScheduler<TakenAtInsert>(
    config.turnConcurrency,
    // A trace of its own: the webhook's request has been answered, and whichever turn freed the slot
    // is no parent of this one.
    (conversationId, untilSequence, takenAtInsert) =>
      trace.span(
        'background turn',
        { 'icmp.conversation_id': conversationId },
        () =>
          processor.process(
            conversationId,
            untilSequence,
            undefined,
            undefined,
            takenAtInsert?.ticket.historyLimit,
            takenAtInsert,
          ),
        { root: true },
      ),
    (err, conversationId) => app.log.error({ err, conversationId }, 'processing a webhook message failed'),
    (queued, running) => {
      metrics.backgroundTurns.set({ state: 'queued' }, queued);
      metrics.backgroundTurns.set({ state: 'running' }, running);
    },
    WEBHOOK_ACK_HOLD_MS,
  );
  const recovery = createPendingRecovery(
    context,
    processor,
    (err, conversationId) => app.log.error({ err, conversationId }, 'processing a pending message failed'),
    (conversationId) => backgroundTurns.has(conversationId),
  );
  const outbox = createDeliveryWorker(context, (err) => app.log.error({ err }, 'delivering a reply failed'));
  const profiles = createProfileLookups(context, (details, message) => app.log.warn(details, message));
  const typing = createTypingIndicators(context, (details, message) => app.log.debug(details, message));
  const rollups = createRollupCompaction(context, {
    info: (details, message) => app.log.info(details, message),
    warn: (details, message) => app.log.warn(details, message),
  });
  const committedRowsFold = createCommittedRowsFold(context, {
    warn: (details, message) => app.log.warn(details, message),
  });
  await app.register(metaWebhookRoutes(context, backgroundTurns, processor));
  await app.register(metaChannelRoutes(context));
  app.decorate('startBackgroundWork', async () => {
    recovery.start();
    testRunner.start();
    outbox.start();
    profiles.start();
    typing.start();
    rollups.start();
    committedRowsFold.start();
  });
  app.decorate('drainOutbox', outbox.drain);
  app.decorate('releaseTurnLeases', () => processor.releaseAllLeases());
  app.addHook('onClose', async () => outbox.stop());
  app.addHook('onClose', async () => profiles.stop());
  app.addHook('onClose', async () => typing.stop());
  app.addHook('onClose', async () => rollups.stop());
  app.addHook('onClose', async () => committedRowsFold.stop());
  app.decorate('sweepPendingMessages', recovery.sweep);
  app.decorate('backgroundTurnsIdle', () => backgroundTurns.idle());
  app.addHook('onClose', async () => recovery.stop());
  app.addHook('onClose', async () => testRunner.stop());
  app.decorate('testRunsIdle', () => testRunner.idle());
  app.decorate('sweepTestRuns', testRunner.sweep);
  app.addHook('onClose', async () => backgroundTurns.stop());
  return app;
}
