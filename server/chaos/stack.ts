// What one chaos run stands on: a fresh PostgreSQL database and Redis, each behind a TCP proxy the run
// can cut, the fake LLM (with injectable faults) and the real server in its own process.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { generateSecret } from '../src/lib/keys.js';
import { startFakeLlmServer } from '../test/helpers/fake-llm-server.js';
import type { FakeFaults, FakeLlm } from '../test/helpers/fake-llm-types.js';
import { scriptedModel } from '../test/helpers/pipeline-fixture.js';
import { freePort, type ServerProcess, startServerProcess } from '../test/helpers/server-process.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

export interface Stack {
  server: ServerProcess;
  baseUrl: string;
  masterKey: string;
  apiKey: string;
  llm: FakeLlm;
  pgProxy: TcpProxy;
  redisProxy: TcpProxy;
  /** kill -9 of the server process (no shutdown hook runs). */
  crash(): Promise<void>;
  /** Starts the server again on the same port and database. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface StackOptions {
  databaseUrl: string;
  redisUrl: string;
  faults?: FakeFaults;
  llmLatencyMs?: number;
  env?: Record<string, string>;
}

async function adminQuery(databaseUrl: string, statement: string) {
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const base = new URL(options.databaseUrl);
  const database = `${base.pathname.slice(1) || 'icmp'}_chaos_${randomBytes(4).toString('hex')}`;
  await adminQuery(options.databaseUrl, `CREATE DATABASE "${database}"`);
  const redis = new URL(options.redisUrl);
  const pgProxy = await startTcpProxy(base.hostname, Number(base.port || 5432));
  const redisProxy = await startTcpProxy(redis.hostname, Number(redis.port || 6379));
  const proxiedDb = new URL(options.databaseUrl);
  proxiedDb.hostname = '127.0.0.1';
  proxiedDb.port = String(pgProxy.port);
  proxiedDb.pathname = `/${database}`;
  const proxiedRedis = new URL(options.redisUrl);
  proxiedRedis.hostname = '127.0.0.1';
  proxiedRedis.port = String(redisProxy.port);

  const llm = await startFakeLlmServer({
    defaultAnswer: scriptedModel(),
    latencyMs: options.llmLatencyMs ?? 20,
    record: false,
    ...(options.faults ? { faults: options.faults } : {}),
  });
  const masterKey = generateSecret('icmp_admin');
  const port = await freePort();
  const env: Record<string, string> = {
    DATABASE_URL: proxiedDb.toString(),
    REDIS_URL: proxiedRedis.toString(),
    ICMP_API_KEY: masterKey,
    OPENAI_BASE_URL: llm.url,
    OPENAI_API_KEY: 'sk-chaos',
    LLM_MODEL: 'fake-model',
    LLM_TIMEOUT_MS: '2000',
    LLM_MAX_RETRIES: '1',
    TURN_TIMEOUT_MS: '6000',
    TURN_LEASE_MS: '3000',
    RATE_LIMIT_PER_MINUTE: '1000000',
    DB_POOL_SIZE: '10',
    LOG_LEVEL: 'error',
    ...options.env,
  };
  let server = await startServerProcess(env, port);
  const baseUrl = server.baseUrl;
  const created = await fetch(`${baseUrl}/api/businesses`, {
    method: 'POST',
    headers: { authorization: `Bearer ${masterKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ business_name: `Chaos ${database}`, business_description: 'A chaos run' }),
  });
  if (created.status !== 201)
    throw new Error(`creating the business: ${created.status} ${await created.text()}`);
  const apiKey = ((await created.json()) as { api_key: string }).api_key;

  return {
    get server() {
      return server;
    },
    baseUrl,
    masterKey,
    apiKey,
    llm,
    pgProxy,
    redisProxy,
    crash: () => server.crash(),
    async restart() {
      server = await startServerProcess(env, port);
    },
    async close() {
      await server.stop();
      await llm.close();
      await pgProxy.close();
      await redisProxy.close();
      await adminQuery(options.databaseUrl, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(
        () => undefined,
      );
    },
  };
}
