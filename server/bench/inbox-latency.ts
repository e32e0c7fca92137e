// Latency of the live inbox: from sending POST /api/message to the customer's `message` event arriving
// on a dashboard stream (GET /api/conversations/events), median over N messages, in three set-ups:
// one process; two processes with Redis (POST to one, stream from the other); two processes on
// PostgreSQL LISTEN/NOTIFY (no Redis).
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 \
//     npx tsx bench/inbox-latency.ts [--messages 100]
//
// A database is created next to DATABASE_URL's and dropped at the end. The offline engine answers
// (no LLM), so a turn is short; the figure includes the request up to the message's insert.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createInvalidationBus } from '../src/cache/invalidation-bus.js';
import { percentile } from './load.js';
import { freePort, startProcess, stopProcess } from './processes.js';

const env = process.env;
const databaseUrl = env.DATABASE_URL;
const redisUrl = env.REDIS_URL;
const messagesArg = process.argv.indexOf('--messages');
const N = messagesArg > 0 ? Number(process.argv[messagesArg + 1]) : 100;
if (!databaseUrl) throw new Error('DATABASE_URL (PostgreSQL) is required');

const masterKey = `icmp_admin_${randomBytes(16).toString('hex')}`;
const dataDir = mkdtempSync(path.join(tmpdir(), 'icmp-inbox-bench-'));

async function withDatabase<T>(run: (url: string) => Promise<T>): Promise<T> {
  const admin = new URL(databaseUrl as string);
  admin.pathname = '/postgres';
  const name = `icmp_inbox_bench_${randomBytes(4).toString('hex')}`;
  const sql = async (statement: string) => {
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    await client.query(statement).finally(() => client.end());
  };
  await sql(`CREATE DATABASE "${name}"`);
  const url = new URL(databaseUrl as string);
  url.pathname = `/${name}`;
  try {
    return await run(url.toString());
  } finally {
    await sql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

async function startServer(url: string, redis: string | undefined) {
  const port = await freePort();
  const child = await startProcess(
    'src/main.ts',
    [],
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'development',
      DATA_DIR: dataDir,
      ICMP_API_KEY: masterKey,
      DATABASE_URL: url,
      REDIS_URL: redis ?? '',
      OPENAI_API_KEY: '',
      ANTHROPIC_API_KEY: '',
      RATE_LIMIT_PER_MINUTE: '10000000',
      LOG_LEVEL: 'warn',
    },
    /ICMP is running/,
  );
  return { child, base: `http://127.0.0.1:${port}` };
}

/** A minimal SSE reader: calls `onEvent` with each event's type and data. */
async function openStream(url: string, key: string, onEvent: (type: string, data: string) => void) {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${key}` },
    signal: controller.signal,
  });
  if (!response.ok || !response.body) throw new Error(`stream: ${response.status}`);
  const body = response.body;
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const type = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (type && data) onEvent(type, data);
        }
      }
    } catch {
      // aborted
    }
  })();
  return () => controller.abort();
}

async function measure(postBase: string, streamBase: string) {
  const created = await fetch(`${postBase}/api/businesses`, {
    method: 'POST',
    headers: { authorization: `Bearer ${masterKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ business_name: `Inbox bench ${Date.now()}`, business_description: 'A shop' }),
  });
  const business = (await created.json()) as { business_id: string; api_key: string };
  let waiting: ((at: number) => void) | null = null;
  const close = await openStream(`${streamBase}/api/conversations/events`, business.api_key, (type, data) => {
    if (type === 'message' && JSON.parse(data).sender_type === 'user') waiting?.(performance.now());
  });
  const latencies: number[] = [];
  let conversationId: string | undefined;
  for (let i = 0; i < N + 5; i += 1) {
    const arrived = new Promise<number>((resolve) => {
      waiting = resolve;
    });
    const sent = performance.now();
    const response = await fetch(`${postBase}/api/message`, {
      method: 'POST',
      headers: { authorization: `Bearer ${business.api_key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        business_id: business.business_id,
        content: `message ${i}`,
        conversation_id: conversationId,
      }),
    });
    const result = (await response.json()) as { conversation_id: string };
    conversationId = result.conversation_id;
    const at = await Promise.race([
      arrived,
      new Promise<number>((_, reject) => setTimeout(() => reject(new Error('no event in 10 s')), 10_000)),
    ]);
    if (i >= 5) latencies.push(at - sent); // the first few warm caches and connections
  }
  close();
  latencies.sort((a, b) => a - b);
  return {
    median_ms: Number(percentile(latencies, 50).toFixed(2)),
    p95_ms: Number(percentile(latencies, 95).toFixed(2)),
  };
}

/** The transport alone: one bus publishes, another (a separate connection) hears it. */
async function busLatency(options: { databaseUrl?: string; redisUrl?: string }) {
  const [from, to] = [await createInvalidationBus(options), await createInvalidationBus(options)];
  let heard: ((at: number) => void) | null = null;
  to.subscribe('conversation-event', () => heard?.(performance.now()));
  const latencies: number[] = [];
  for (let i = 0; i < N + 5; i += 1) {
    const arrived = new Promise<number>((resolve) => {
      heard = resolve;
    });
    const sent = performance.now();
    from.publish('conversation-event', JSON.stringify({ type: 'typing', n: i }));
    const at = await arrived;
    if (i >= 5) latencies.push(at - sent);
  }
  await Promise.all([from.close(), to.close()]);
  latencies.sort((a, b) => a - b);
  return {
    median_ms: Number(percentile(latencies, 50).toFixed(3)),
    p95_ms: Number(percentile(latencies, 95).toFixed(3)),
  };
}

async function main() {
  const results: Record<string, unknown> = {};
  const children: ChildProcess[] = [];
  try {
    await withDatabase(async (url) => {
      results['bus only, LISTEN/NOTIFY'] = await busLatency({ databaseUrl: url });
      if (redisUrl) results['bus only, Redis'] = await busLatency({ redisUrl });
      const single = await startServer(url, undefined);
      children.push(single.child);
      results['one process'] = await measure(single.base, single.base);
      const other = await startServer(url, undefined);
      children.push(other.child);
      results['two processes, LISTEN/NOTIFY'] = await measure(single.base, other.base);
      for (const child of children.splice(0)) await stopProcess(child);
      if (redisUrl) {
        const a = await startServer(url, redisUrl);
        const b = await startServer(url, redisUrl);
        children.push(a.child, b.child);
        results['two processes, Redis'] = await measure(a.base, b.base);
      }
    });
  } finally {
    for (const child of children) await stopProcess(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(JSON.stringify({ messages: N, results }, null, 2));
}

await main();
