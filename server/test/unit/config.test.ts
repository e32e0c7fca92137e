import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const expectRejected = (env: Record<string, string>, variable: string) => {
  let thrown: unknown;
  try {
    loadConfig(env);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `${JSON.stringify(env)} should be rejected`).toBeInstanceOf(ConfigError);
  expect((thrown as Error).message).toContain(variable);
};

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      dataDir: './data',
      masterKey: undefined,
      redisUrl: undefined,
      rateLimitPerMinute: 600,
      bodyLimitBytes: 1024 * 1024,
      turnConcurrency: 64,
    });
    expect(config.llm.openaiApiKey).toBeUndefined();
    expect(config.llm.timeoutMs).toBeGreaterThan(0);
    expect(config.meta.graphApiBaseUrl).toMatch(/^https:\/\/graph\.facebook\.com/);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.llm)).toBe(true);
  });

  it('reads every variable it is given', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://u:p@db:5432/icmp',
      DATA_DIR: '/var/lib/icmp',
      ICMP_API_KEY: 'a-master-key-that-is-long-enough-for-32',
      REDIS_URL: 'redis://cache:6379',
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: 'http://localhost:11434/v1',
      LLM_MODEL: 'llama3',
      ANTHROPIC_API_KEY: 'sk-ant',
      LLM_TIMEOUT_MS: '5000',
      LLM_MAX_RETRIES: '0',
      GRAPH_API_BASE_URL: 'http://127.0.0.1:9999/v21.0/',
      META_APP_SECRET: 'app-secret',
      META_VERIFY_TOKEN: 'verify',
      RATE_LIMIT_PER_MINUTE: '42',
      TURN_CONCURRENCY: '4',
      CORS_ORIGINS: 'https://a.example, https://b.example,',
    });
    expect(config).toMatchObject({
      env: 'production',
      port: 8080,
      host: '0.0.0.0',
      databaseUrl: 'postgres://u:p@db:5432/icmp',
      dataDir: '/var/lib/icmp',
      masterKey: 'a-master-key-that-is-long-enough-for-32',
      redisUrl: 'redis://cache:6379',
      rateLimitPerMinute: 42,
      turnConcurrency: 4,
      corsOrigins: ['https://a.example', 'https://b.example'],
      llm: {
        openaiApiKey: 'sk-test',
        openaiBaseUrl: 'http://localhost:11434/v1',
        model: 'llama3',
        timeoutMs: 5000,
        maxRetries: 0,
      },
      meta: {
        graphApiBaseUrl: 'http://127.0.0.1:9999/v21.0',
        appSecret: 'app-secret',
        verifyToken: 'verify',
      },
    });
  });

  it('treats empty variables as unset', () => {
    const config = loadConfig({ DATABASE_URL: '', REDIS_URL: '', PORT: '' });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    expect(config.port).toBe(3000);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '3000abc' }, 'PORT'],
    [{ PORT: '-1' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PORT: '80.5' }, 'PORT'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ DATABASE_URL: 'mysql://root@localhost/icmp' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'http://localhost:6379' }, 'REDIS_URL'],
    [{ ICMP_API_KEY: 'short' }, 'ICMP_API_KEY'],
    [{ ICMP_API_KEY: 'x'.repeat(31) }, 'ICMP_API_KEY'],
    [{ OPENAI_BASE_URL: 'localhost:11434' }, 'OPENAI_BASE_URL'],
    [{ LLM_TIMEOUT_MS: 'soon' }, 'LLM_TIMEOUT_MS'],
    [{ LLM_TIMEOUT_MS: '1' }, 'LLM_TIMEOUT_MS'],
    [{ LLM_MAX_RETRIES: '99' }, 'LLM_MAX_RETRIES'],
    [{ GRAPH_API_BASE_URL: 'graph.facebook.com' }, 'GRAPH_API_BASE_URL'],
    [{ RATE_LIMIT_PER_MINUTE: '0' }, 'RATE_LIMIT_PER_MINUTE'],
    [{ RATE_LIMIT_PER_MINUTE: 'lots' }, 'RATE_LIMIT_PER_MINUTE'],
    [{ BODY_LIMIT_BYTES: '1mb' }, 'BODY_LIMIT_BYTES'],
    [{ MAX_MESSAGE_CHARS: '0' }, 'MAX_MESSAGE_CHARS'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DB_POOL_SIZE: '0' }, 'DB_POOL_SIZE'],
    [{ TURN_CONCURRENCY: '0' }, 'TURN_CONCURRENCY'],
    [{ TURN_CONCURRENCY: 'many' }, 'TURN_CONCURRENCY'],
    [{ NODE_ENV: 'production' }, 'ICMP_API_KEY'],
    [{ TRUST_PROXY: 'true' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: 'proxy.example' }, 'TRUST_PROXY'],
    [{ SMTP_URL: 'mail.example' }, 'SMTP_URL'],
    [{ SESSION_IDLE_MINUTES: '0' }, 'SESSION_IDLE_MINUTES'],
  ])('rejects %o naming %s', (env, variable) => {
    expectRejected(env, variable);
  });

  it('does not read process.env when given a source', () => {
    const previous = process.env.PORT;
    process.env.PORT = 'not-a-port';
    try {
      expect(loadConfig({}).port).toBe(3000);
    } finally {
      if (previous === undefined) delete process.env.PORT;
      else process.env.PORT = previous;
    }
  });

  it('reads TRUST_PROXY as false, a hop count or addresses, and believes no proxy by default', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', ICMP_API_KEY: 'k'.repeat(32) }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
    ]);
  });

  it('turns tracing on only with an OTLP endpoint, and reads the OTLP settings', () => {
    expect(loadConfig({}).otel).toBeNull();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).otel).toEqual({
      tracesUrl: 'http://collector:4318/v1/traces',
      protocol: 'http/protobuf',
      headers: {},
      serviceName: 'icmp',
    });
    const otel = loadConfig({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://vendor.example/otlp/traces',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc%3D%3D, x-team = ops',
      OTEL_SERVICE_NAME: 'icmp-eu',
    }).otel;
    expect(otel).toEqual({
      tracesUrl: 'https://vendor.example/otlp/traces',
      protocol: 'http/json',
      headers: { 'x-api-key': 'abc==', 'x-team': 'ops' },
      serviceName: 'icmp-eu',
    });
    expectRejected({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT');
    expectRejected(
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
      'OTEL_EXPORTER_OTLP_PROTOCOL',
    );
    expectRejected(
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_EXPORTER_OTLP_HEADERS: 'novalue' },
      'OTEL_EXPORTER_OTLP_HEADERS',
    );
    expectRejected({ METRICS_TOKEN: 'short' }, 'METRICS_TOKEN');
  });

  it('reads the process settings: one process, migrate at start, 25 s to shut down by default', () => {
    expect(loadConfig({})).toMatchObject({
      webConcurrency: 1,
      migrateOnStart: true,
      shutdownTimeoutMs: 25_000,
    });
    const pg = 'postgres://postgres@127.0.0.1:5432/icmp';
    expect(
      loadConfig({
        DATABASE_URL: pg,
        WEB_CONCURRENCY: '4',
        MIGRATE_ON_START: 'false',
        SHUTDOWN_TIMEOUT_MS: '0',
      }),
    ).toMatchObject({ webConcurrency: 4, migrateOnStart: false, shutdownTimeoutMs: 0 });
    expectRejected({ WEB_CONCURRENCY: '2' }, 'DATABASE_URL');
    expectRejected({ WEB_CONCURRENCY: '0' }, 'WEB_CONCURRENCY');
    expectRejected({ MIGRATE_ON_START: 'yes' }, 'MIGRATE_ON_START');
    expectRejected({ SHUTDOWN_TIMEOUT_MS: '-1' }, 'SHUTDOWN_TIMEOUT_MS');
  });
});
