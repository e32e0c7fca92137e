/**
 * `npm run bench:layers`: where a request's server CPU goes, layer by layer — what the HTTP layer
 * costs alone (`/ping`), with authentication, rate limiting and validation (a message refused at
 * validation), a read through the stack (`GET /api/stages`), and a whole message turn (fake LLM,
 * 0 ms); then, in this process, what a statement costs the database client: raw `pg` against our
 * `db.execute(sql…)`, a `prebuiltStatement` (how a turn's statements run) and a drizzle query
 * builder; and what one LLM call costs this process: a bare undici `Pool` request (the floor's way)
 * against our LLM client (`createLlmClient(…).complete`, with its deadline, retries and span). Server
 * CPU per request at concurrency 32, median of `--rounds=3` rounds (each after a warm-up); on
 * PostgreSQL with DATABASE_URL, else PGlite (then no database client figures: they compare with raw
 * `pg`). Read it beside `npm run bench`'s floor: a whole turn there costs the bare server ~0.7 ms.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { type Dispatcher, Pool as HttpPool } from 'undici';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { prebuiltStatement } from '../src/db/prebuilt-statement.js';
import { businesses } from '../src/db/schema.js';
import { generateSecret } from '../src/lib/keys.js';
import { createLlmClient, type LlmRequest } from '../src/llm/llm-client.js';
import { responseFormat } from '../src/llm/openai-chat-transport.js';
import { openConversations, setUpBusiness } from './bench-business.js';
import { percentile, runLoad } from './load.js';
import {
  benchServerEnv,
  cpuSeconds,
  freePort,
  startFakeLlm,
  startProcess,
  stopProcess,
} from './processes.js';
import { renderCost } from './render-cost.js';

const DATABASE_URL = process.env.DATABASE_URL;
const ROUNDS = Number(process.argv.find((arg) => arg.startsWith('--rounds='))?.split('=')[1] ?? 3);
// `--parts=llm` (or `server,database,llm`, the default; `render` on request): which groups to measure.
const PARTS = new Set(
  (process.argv.find((arg) => arg.startsWith('--parts='))?.split('=')[1] ?? 'server,database,llm').split(','),
);
const CONCURRENCY = 32;
const SECONDS = 6;

const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

type Send = (n: number) => Promise<Response>;

async function serverLayers() {
  const masterKey = generateSecret('icmp_admin');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'icmp-layers-'));
  const { child: llm, url: llmUrl } = await startFakeLlm(0);
  const port = await freePort();
  const server = await startProcess(
    'src/main.ts',
    [],
    {
      ...benchServerEnv({ port, dataDir, masterKey, llmUrl, databaseUrl: DATABASE_URL }),
      DB_POOL_SIZE: '20',
    },
    /ICMP is running/,
  );
  const base = `http://127.0.0.1:${port}`;
  try {
    const { api_key: apiKey } = await setUpBusiness(base, masterKey, 'Layers');
    const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
    const users = await openConversations(base, apiKey, 2 * CONCURRENCY);
    const layers: [string, Send, number][] = [
      ['HTTP only (GET /ping)', () => fetch(`${base}/ping`), 200],
      [
        '+ auth, rate limit, validation (400)',
        () => fetch(`${base}/api/message`, { method: 'POST', headers, body: '{"content":""}' }),
        400,
      ],
      ['a read (GET /api/stages)', () => fetch(`${base}/api/stages`, { headers }), 200],
      [
        'a message turn (POST /api/message)',
        (n) =>
          fetch(`${base}/api/message`, {
            method: 'POST',
            headers,
            body: JSON.stringify({
              content: `Message ${n}: when are you open?`,
              user_id: users[n % users.length],
            }),
          }),
        200,
      ],
    ];
    const figures = new Map<string, number[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, send, status] of layers) {
        // runLoad counts a status other than 200 as an error; the refused request is the measured case.
        const expected = async (_worker: number, n: number) => {
          const response = await send(n);
          if (response.status !== status)
            throw new Error(`${name}: ${response.status} ${await response.text()}`);
          await response.arrayBuffer();
          return new Response(null, { status: 200 });
        };
        await runLoad({ concurrency: CONCURRENCY, seconds: 1, send: expected });
        const before = cpuSeconds(server.pid as number);
        const result = await runLoad({ concurrency: CONCURRENCY, seconds: SECONDS, send: expected });
        if (result.errors) throw new Error(`${name}: ${result.errorSamples.join('; ')}`);
        const micros = ((cpuSeconds(server.pid as number) - before) * 1e6) / result.requests;
        figures.set(name, [...(figures.get(name) ?? []), micros]);
      }
    }
    console.log(
      `\nServer CPU per request, c=${CONCURRENCY} (median of ${ROUNDS} rounds; the rounds' spread)`,
    );
    for (const [name, values] of figures)
      console.log(
        `  ${name.padEnd(38)} ${median(values).toFixed(0).padStart(6)} µs` +
          `  (${values.map((v) => v.toFixed(0)).join(', ')})`,
      );
  } finally {
    await stopProcess(server);
    await stopProcess(llm);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** CPU this process spends per statement: 32 callers, one statement each at a time, `total` in all. */
async function clientCost(query: () => Promise<unknown>, total = 20_000) {
  const run = async () => {
    let issued = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (issued++ < total) await query();
      }),
    );
  };
  await run();
  const before = process.cpuUsage();
  await run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / total;
}

const prebuiltRead = prebuiltStatement<{ id: string }>(
  (p) => sql`select business_id, business_name from businesses where business_id = ${p('id')}`,
);

async function clientLayers(url: string) {
  const pool = new pg.Pool({ connectionString: url, max: 20 });
  const database = await openDatabase({ databaseUrl: url, dataDir: null, poolSize: 20 });
  try {
    const [row] = await database.db.select({ id: businesses.businessId }).from(businesses).limit(1);
    if (!row) throw new Error('no business to read');
    const id = row.id;
    const text = 'select business_id, business_name from businesses where business_id = $1';
    const clients: [string, () => Promise<unknown>][] = [
      ['raw pg (named statement)', () => pool.query({ name: 'layers_read', text, values: [id] })],
      [
        'db.execute(sql`…`)',
        () =>
          database.db.execute(
            sql`select business_id, business_name from businesses where business_id = ${id}`,
          ),
      ],
      ['prebuiltStatement (text built once)', () => prebuiltRead(database.db, { id })],
      [
        'drizzle query builder',
        () =>
          database.db
            .select({ id: businesses.businessId, name: businesses.businessName })
            .from(businesses)
            .where(eq(businesses.businessId, id)),
      ],
    ];
    const figures = new Map<string, number[]>();
    for (let round = 0; round < ROUNDS; round++)
      for (const [name, query] of clients)
        figures.set(name, [...(figures.get(name) ?? []), await clientCost(query)]);
    console.log(`\nDatabase client CPU per statement, one-row read, c=${CONCURRENCY} (median of ${ROUNDS})`);
    for (const [name, values] of figures)
      console.log(
        `  ${name.padEnd(38)} ${median(values).toFixed(0).padStart(6)} µs  (${values.map((v) => v.toFixed(0)).join(', ')})`,
      );
  } finally {
    await pool.end();
    await database.close();
  }
}

/** A turn's three calls, each with a prompt of the size a turn's calls carry (~2.3 KB). */
const LLM_REQUESTS: LlmRequest[] = (['choice', 'json', 'text'] as const).map((kind) => ({
  system: 'You are the assistant of a small business. Answer briefly and only from what you are told.',
  prompt: `Conversation so far:\n${'customer: when are you open on Saturdays?\n'.repeat(50)}`,
  output:
    kind === 'choice'
      ? { kind, options: ['greeting', 'booking', 'questions'] }
      : kind === 'json'
        ? { kind, schema: { type: 'object', properties: { name: { type: ['string', 'null'] } } } }
        : { kind },
}));

const withResponseFormat = (request: LlmRequest) => {
  const format = responseFormat(request, 'json_schema');
  return format ? { response_format: format } : {};
};

async function llmClientLayers() {
  const { child: llm, url } = await startFakeLlm(0);
  const pool = new HttpPool(new URL(url).origin);
  const path = `${new URL(url).pathname}/chat/completions`;
  const client = createLlmClient(
    loadConfig({ OPENAI_BASE_URL: url, OPENAI_API_KEY: 'bench', LLM_MODEL: 'bench-model' }),
  );
  if (!client) throw new Error('no LLM client for the fake LLM');
  try {
    let n = 0;
    const calls: [string, () => Promise<unknown>][] = [
      [
        'bare undici Pool.request',
        async () => {
          const request = LLM_REQUESTS[n++ % 3] as LlmRequest;
          const { statusCode, body } = await pool.request({
            // With a deadline, as our client sends every call: undici's request handler then sees one
            // shape of options in this process. Mixed (the bare call without, ours with), our client
            // measured ~20 µs slower than it does alone (71 against 51-58 µs): the JIT's, not the client's.
            signal: new EventEmitter() as NonNullable<Dispatcher.RequestOptions['signal']>,
            path,
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: 'Bearer bench' },
            body: JSON.stringify({
              model: 'bench-model',
              messages: [
                { role: 'system', content: request.system },
                { role: 'user', content: request.prompt },
              ],
              // The structure our client asks for (the floor asks for the same).
              ...withResponseFormat(request),
            }),
          });
          await body.json();
          if (statusCode !== 200) throw new Error(`the fake LLM answered ${statusCode}`);
        },
      ],
      [
        'our LLM client (complete)',
        async () => {
          const result = await client.complete(LLM_REQUESTS[n++ % 3] as LlmRequest);
          if (!result.ok) throw new Error(`the LLM call failed: ${result.errorDetail}`);
        },
      ],
    ];
    const figures = new Map<string, number[]>();
    for (let round = 0; round < ROUNDS; round++)
      for (const [name, call] of calls)
        figures.set(name, [...(figures.get(name) ?? []), await clientCost(call, 10_000)]);
    console.log(`\nLLM client CPU per call, fake LLM at 0 ms, c=${CONCURRENCY} (median of ${ROUNDS})`);
    for (const [name, values] of figures)
      console.log(
        `  ${name.padEnd(38)} ${median(values).toFixed(0).padStart(6)} µs  (${values.map((v) => v.toFixed(0)).join(', ')})`,
      );
  } finally {
    await pool.close();
    await stopProcess(llm);
  }
}

async function main() {
  if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error('--rounds takes a count: 3');
  console.log(`ICMP request layers — database: ${DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`);
  if (PARTS.has('server')) await serverLayers();
  if (PARTS.has('database') && DATABASE_URL) await clientLayers(DATABASE_URL);
  if (PARTS.has('llm')) await llmClientLayers();
  if (PARTS.has('render')) {
    const rounds = await renderCost(ROUNDS);
    console.log(
      `\nA turn's three renders in this process (selection, extraction, reply), c=${CONCURRENCY}: ` +
        `${median(rounds).toFixed(1)} µs per turn (${rounds.map((v) => v.toFixed(1)).join(', ')})`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
