import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
const NonEmpty = Type.String({ minLength: 1 });
const Port = Type.Integer({ minimum: 0, maximum: 65535 });
const EnvSchema = Type.Object({
    NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')]),
    PORT: Port,
    HOST: NonEmpty,
    DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
    DATA_DIR: NonEmpty,
    ICMP_API_KEY: Type.Optional(Type.String({ minLength: 32 })),
    REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
    OPENAI_API_KEY: Type.Optional(NonEmpty),
    OPENAI_BASE_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
    LLM_MODEL: Type.Optional(NonEmpty),
    ANTHROPIC_API_KEY: Type.Optional(NonEmpty),
    ANTHROPIC_MODEL: Type.Optional(NonEmpty),
    ANTHROPIC_BASE_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
    LLM_ALLOWED_MODELS: Type.Optional(Type.String()),
    LLM_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000 }),
    LLM_MAX_RETRIES: Type.Integer({ minimum: 0, maximum: 10 }),
    GRAPH_API_BASE_URL: Type.String({ pattern: '^https?://' }),
    META_APP_SECRET: Type.Optional(NonEmpty),
    META_VERIFY_TOKEN: Type.Optional(NonEmpty),
    GRAPH_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 120_000 }),
    GRAPH_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 50 }),
    GRAPH_RETRY_BASE_MS: Type.Integer({ minimum: 1, maximum: 600_000 }),
    GRAPH_RECONCILE_MS: Type.Integer({ minimum: 0, maximum: 3_600_000 }),
    PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://[^\\s/]+(/[^\\s]*)?$' })),
    CHANNEL_SECRETS_KEY: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9+/_-]{43}=?$' })),
    RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1 }),
    BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024 }),
    MAX_MESSAGE_CHARS: Type.Integer({ minimum: 1 }),
    MAX_PROMPT_CHARS: Type.Integer({ minimum: 1000, maximum: 10_000_000 }),
    MAX_TEMPLATE_CHARS: Type.Integer({ minimum: 100, maximum: 100_000 }),
    MAX_VARIABLE_CHARS: Type.Integer({ minimum: 100, maximum: 10_000_000 }),
    MAX_HISTORY_CHARS: Type.Integer({ minimum: 100, maximum: 10_000_000 }),
    TURN_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 3_600_000 }),
    MAX_STAGES_PER_BUSINESS: Type.Integer({ minimum: 1, maximum: 100_000 }),
    MAX_TEMPLATES_PER_BUSINESS: Type.Integer({ minimum: 3, maximum: 1_000_000 }),
    TURN_LEASE_MS: Type.Integer({ minimum: 300, maximum: 3_600_000 }),
    CORS_ORIGINS: Type.String(),
    LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
    DB_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 500 }),
    ANALYTICS_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000 }),
    TURN_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 10_000 }),
    WEB_DIST_DIR: Type.Optional(NonEmpty),
    WIDGET_DIST_DIR: Type.Optional(NonEmpty),
    TRUST_PROXY: Type.String(),
    SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://' })),
    MAIL_FROM: Type.Optional(NonEmpty),
    SESSION_IDLE_MINUTES: Type.Integer({ minimum: 1, maximum: 525_600 }),
    SESSION_MAX_HOURS: Type.Integer({ minimum: 1, maximum: 8760 }),
    EVENT_STREAM_HEARTBEAT_MS: Type.Integer({ minimum: 100, maximum: 300_000 }),
    METRICS_TOKEN: Type.Optional(Type.String({ minLength: 32 })),
    OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://' })),
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://' })),
    OTEL_EXPORTER_OTLP_PROTOCOL: Type.Union([Type.Literal('http/protobuf'), Type.Literal('http/json')]),
    OTEL_EXPORTER_OTLP_HEADERS: Type.Optional(Type.String()),
    OTEL_SERVICE_NAME: NonEmpty,
    WEB_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 256 }),
    MIGRATE_ON_START: Type.Union([Type.Literal('true'), Type.Literal('false')]),
    SHUTDOWN_TIMEOUT_MS: Type.Integer({ minimum: 0, maximum: 3_600_000 }),
});
const DEFAULTS = {
    NODE_ENV: 'development',
    PORT: '3000',
    HOST: '127.0.0.1',
    DATA_DIR: './data',
    LLM_TIMEOUT_MS: '30000',
    LLM_MAX_RETRIES: '2',
    GRAPH_API_BASE_URL: 'https://graph.facebook.com/v21.0',
    GRAPH_TIMEOUT_MS: '10000',
    GRAPH_MAX_ATTEMPTS: '8',
    GRAPH_RETRY_BASE_MS: '1000',
    GRAPH_RECONCILE_MS: '60000',
    RATE_LIMIT_PER_MINUTE: '600',
    BODY_LIMIT_BYTES: String(1024 * 1024),
    MAX_MESSAGE_CHARS: '4000',
    MAX_PROMPT_CHARS: '200000',
    MAX_TEMPLATE_CHARS: '100000',
    MAX_VARIABLE_CHARS: '50000',
    MAX_HISTORY_CHARS: '40000',
    TURN_TIMEOUT_MS: '30000',
    MAX_STAGES_PER_BUSINESS: '100',
    MAX_TEMPLATES_PER_BUSINESS: '500',
    TURN_LEASE_MS: '10000',
    CORS_ORIGINS: '',
    LOG_LEVEL: 'info',
    DB_POOL_SIZE: '20',
    ANALYTICS_TIMEOUT_MS: '5000',
    TURN_CONCURRENCY: '64',
    TRUST_PROXY: 'false',
    SESSION_IDLE_MINUTES: '720',
    SESSION_MAX_HOURS: '168',
    EVENT_STREAM_HEARTBEAT_MS: '15000',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_SERVICE_NAME: 'icmp',
    WEB_CONCURRENCY: '1',
    MIGRATE_ON_START: 'true',
    SHUTDOWN_TIMEOUT_MS: '25000',
};
export class ConfigError extends Error {
}
/** A wildcard listen address is not an address anyone can reach; name the machine instead. */
const publicHost = (host) => (host === '0.0.0.0' || host === '::' ? 'localhost' : host);
const INTEGER_KEYS = new Set([
    'PORT',
    'LLM_TIMEOUT_MS',
    'LLM_MAX_RETRIES',
    'RATE_LIMIT_PER_MINUTE',
    'BODY_LIMIT_BYTES',
    'MAX_MESSAGE_CHARS',
    'MAX_PROMPT_CHARS',
    'MAX_TEMPLATE_CHARS',
    'MAX_VARIABLE_CHARS',
    'MAX_HISTORY_CHARS',
    'TURN_TIMEOUT_MS',
    'MAX_STAGES_PER_BUSINESS',
    'MAX_TEMPLATES_PER_BUSINESS',
    'TURN_LEASE_MS',
    'DB_POOL_SIZE',
    'ANALYTICS_TIMEOUT_MS',
    'TURN_CONCURRENCY',
    'GRAPH_TIMEOUT_MS',
    'GRAPH_MAX_ATTEMPTS',
    'GRAPH_RETRY_BASE_MS',
    'GRAPH_RECONCILE_MS',
    'SESSION_IDLE_MINUTES',
    'SESSION_MAX_HOURS',
    'EVENT_STREAM_HEARTBEAT_MS',
    'WEB_CONCURRENCY',
    'SHUTDOWN_TIMEOUT_MS',
]);
/** OTEL_EXPORTER_OTLP_HEADERS as the OpenTelemetry spec writes it: `key=value` pairs, comma-separated. */
function parseOtlpHeaders(value) {
    const headers = {};
    for (const pair of (value ?? '').split(',')) {
        if (!pair.trim())
            continue;
        const at = pair.indexOf('=');
        if (at <= 0)
            throw new ConfigError('OTEL_EXPORTER_OTLP_HEADERS is invalid: expected key=value pairs');
        try {
            headers[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim());
        }
        catch {
            throw new ConfigError('OTEL_EXPORTER_OTLP_HEADERS is invalid: a value is not URL-encoded');
        }
    }
    return Object.freeze(headers);
}
function otelSettings(env) {
    const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, '');
    const tracesUrl = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base ? `${base}/v1/traces` : undefined);
    if (!tracesUrl)
        return null;
    return Object.freeze({
        tracesUrl,
        protocol: env.OTEL_EXPORTER_OTLP_PROTOCOL,
        headers: parseOtlpHeaders(env.OTEL_EXPORTER_OTLP_HEADERS),
        serviceName: env.OTEL_SERVICE_NAME,
    });
}
const CIDR = /^[0-9a-fA-F:.]+(\/\d{1,3})?$/;
/** `false`/`true`, a hop count, or comma-separated addresses/CIDRs (e.g. `127.0.0.1,10.0.0.0/8`). */
function parseTrustProxy(value) {
    const text = value.trim().toLowerCase();
    if (text === 'false' || text === '0' || text === '')
        return false;
    if (text === 'true') {
        throw new ConfigError('TRUST_PROXY=true would believe any X-Forwarded-For; give the hop count or the proxies’ addresses');
    }
    if (/^\d+$/.test(text))
        return Number(text);
    const list = text
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
    for (const item of list) {
        if (!CIDR.test(item))
            throw new ConfigError(`TRUST_PROXY is invalid: "${item}" is no address or CIDR`);
    }
    return Object.freeze(list);
}
/** The only reader of the process environment: parse, validate, freeze. */
// biome-ignore lint/style/noProcessEnv: this is the one place allowed to read it (npm run boundaries)
export function loadConfig(source = process.env) {
    const raw = {};
    for (const key of Object.keys(EnvSchema.properties)) {
        // An empty variable counts as unset, so it takes the default like a missing one.
        const value = source[key] === '' || source[key] === undefined ? DEFAULTS[key] : source[key];
        if (value === undefined)
            continue;
        if (INTEGER_KEYS.has(key)) {
            if (!/^\d+$/.test(value.trim()))
                throw new ConfigError(`${key} must be a whole number, got "${value}"`);
            raw[key] = Number(value.trim());
        }
        else {
            raw[key] = value;
        }
    }
    const firstError = Value.Errors(EnvSchema, raw).First();
    if (firstError) {
        const variable = firstError.path.replace(/^\//, '') || 'environment';
        throw new ConfigError(`${variable} is invalid: ${firstError.message}`);
    }
    const env = raw;
    if (env.NODE_ENV === 'production' && !env.ICMP_API_KEY) {
        throw new ConfigError('ICMP_API_KEY is required when NODE_ENV=production');
    }
    if (env.WEB_CONCURRENCY > 1 && !env.DATABASE_URL) {
        throw new ConfigError(`WEB_CONCURRENCY=${env.WEB_CONCURRENCY} needs DATABASE_URL (PostgreSQL): the embedded PGlite database ` +
            'can be opened by one process only. Set DATABASE_URL, or WEB_CONCURRENCY=1.');
    }
    return Object.freeze({
        env: env.NODE_ENV,
        port: env.PORT,
        host: env.HOST,
        databaseUrl: env.DATABASE_URL,
        dataDir: env.DATA_DIR,
        masterKey: env.ICMP_API_KEY,
        redisUrl: env.REDIS_URL,
        llm: Object.freeze({
            openaiApiKey: env.OPENAI_API_KEY,
            openaiBaseUrl: env.OPENAI_BASE_URL,
            model: env.LLM_MODEL,
            anthropicApiKey: env.ANTHROPIC_API_KEY,
            anthropicModel: env.ANTHROPIC_MODEL,
            anthropicBaseUrl: env.ANTHROPIC_BASE_URL?.replace(/\/+$/, ''),
            allowedModels: Object.freeze((env.LLM_ALLOWED_MODELS ?? '')
                .split(',')
                .map((model) => model.trim())
                .filter(Boolean)),
            timeoutMs: env.LLM_TIMEOUT_MS,
            maxRetries: env.LLM_MAX_RETRIES,
        }),
        meta: Object.freeze({
            graphApiBaseUrl: env.GRAPH_API_BASE_URL.replace(/\/+$/, ''),
            appSecret: env.META_APP_SECRET,
            verifyToken: env.META_VERIFY_TOKEN,
            graphTimeoutMs: env.GRAPH_TIMEOUT_MS,
            graphMaxAttempts: env.GRAPH_MAX_ATTEMPTS,
            graphRetryBaseMs: env.GRAPH_RETRY_BASE_MS,
            reconcileGraceMs: env.GRAPH_RECONCILE_MS,
        }),
        publicUrl: (env.PUBLIC_URL ?? `http://${publicHost(env.HOST)}:${env.PORT}`).replace(/\/+$/, ''),
        channelSecretsKey: env.CHANNEL_SECRETS_KEY,
        rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
        bodyLimitBytes: env.BODY_LIMIT_BYTES,
        maxMessageChars: env.MAX_MESSAGE_CHARS,
        prompt: Object.freeze({
            maxPromptChars: env.MAX_PROMPT_CHARS,
            maxTemplateChars: env.MAX_TEMPLATE_CHARS,
            maxVariableChars: env.MAX_VARIABLE_CHARS,
            maxHistoryChars: env.MAX_HISTORY_CHARS,
        }),
        quotas: Object.freeze({ stages: env.MAX_STAGES_PER_BUSINESS, templates: env.MAX_TEMPLATES_PER_BUSINESS }),
        turnTimeoutMs: env.TURN_TIMEOUT_MS,
        turnLeaseMs: env.TURN_LEASE_MS,
        corsOrigins: Object.freeze(env.CORS_ORIGINS.split(',')
            .map((o) => o.trim())
            .filter(Boolean)),
        logLevel: env.LOG_LEVEL,
        dbPoolSize: env.DB_POOL_SIZE,
        analyticsTimeoutMs: env.ANALYTICS_TIMEOUT_MS,
        turnConcurrency: env.TURN_CONCURRENCY,
        webDistDir: env.WEB_DIST_DIR,
        widgetDistDir: env.WIDGET_DIST_DIR,
        trustProxy: parseTrustProxy(env.TRUST_PROXY),
        smtpUrl: env.SMTP_URL,
        mailFrom: env.MAIL_FROM ?? `ICMP <no-reply@${publicHost(env.HOST)}>`,
        sessionIdleMinutes: env.SESSION_IDLE_MINUTES,
        sessionMaxHours: env.SESSION_MAX_HOURS,
        eventStreamHeartbeatMs: env.EVENT_STREAM_HEARTBEAT_MS,
        metricsToken: env.METRICS_TOKEN,
        otel: otelSettings(env),
        webConcurrency: env.WEB_CONCURRENCY,
        migrateOnStart: env.MIGRATE_ON_START === 'true',
        shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    });
}
//# sourceMappingURL=config.js.map