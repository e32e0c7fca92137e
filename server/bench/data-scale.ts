// Data at scale (issue 17): every read through the real HTTP API on a business with a million messages.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/icmp_scale_bench npm run bench:data --workspace server \
//     [-- --messages=200000] [--reseed] [--runs=5] [--skip-stage-delete] [--slots=16] [--skip-b-alone]
//
// PostgreSQL only. The database DATABASE_URL names is created when missing and KEPT: seeding a million
// messages takes minutes, so a second run reuses the fixture (same --messages) and only times the reads.
// `--reseed` drops and seeds again. The fixture, in SQL batches (generate_series), shaped like the rows
// the pipeline writes: business A (`--messages`, default 1,000,000: 10 messages per conversation, one
// customer per conversation, 3 LLM calls per customer message, extracted data for one customer message
// in five, a stage transition in most conversations, 90 days of timestamps) and a small business B
// (1 % of A). Then a server process (src/main.ts) is started on it and each read is timed from this
// process (HTTP round trip, master key), median of --runs after one warm-up, and printed with the
// issue's targets. The deletes run last (they remove 5 conversations of each business, and a stage made
// for the run that 20 % of A's messages are moved to beforehand, untimed). `--slots=N` first re-stripes
// both businesses' daily rollup rows over N slots (sums kept): the seed's single connection writes
// nearly every key into one slot, a busy installation's concurrent writers into all 16 (migration 0017);
// then a server is restarted and waited for, as its start folds the past days back into slot 0.
// Then B is seeded alone (same size and shape) into a sibling database, `<database>_b_alone` (also
// kept), its reads are timed there the same way, and B's times beside A are printed against them.
//
// Figures are only worth something on a quiet machine: `uptime` is printed with them.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { DbOrTx } from '../src/db/client.js';
import { unfoldedRollupRows } from '../src/modules/analytics/rollup-compaction.repository.js';
import { ensureDatabase, freePort, startProcess, stopProcess } from './processes.js';

const env = process.env;
const databaseUrl = env.DATABASE_URL;
if (!databaseUrl)
  throw new Error('DATABASE_URL (PostgreSQL) is required: the scale bench does not run on PGlite');

const argValue = (name: string) => {
  const prefix = `--${name}=`;
  const inline = process.argv.find((a) => a.startsWith(prefix));
  if (inline) return inline.slice(prefix.length);
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const MESSAGES = Number(argValue('messages') ?? 1_000_000);
const RUNS = Number(argValue('runs') ?? 5);
const RESEED = process.argv.includes('--reseed');
// The stage delete moves 20 % of A's rows into a fresh stage first (untimed, minutes at 1M): skippable.
const SKIP_STAGE_DELETE = process.argv.includes('--skip-stage-delete');
// B's reads are also timed in a database of its own (B seeded alone, `<database>_b_alone`) and compared
// with B's beside A: the issue's "B unaffected by A's volume" as a ratio. Skippable.
const SKIP_B_ALONE = process.argv.includes('--skip-b-alone');
const SLOTS = argValue('slots') === undefined ? undefined : Number(argValue('slots'));
if (SLOTS !== undefined && !(Number.isInteger(SLOTS) && SLOTS >= 1 && SLOTS <= 16))
  throw new Error('--slots must be an integer from 1 to 16');
if (!Number.isInteger(MESSAGES) || MESSAGES < 1000) throw new Error('--messages must be an integer ≥ 1000');

const PER_CONVERSATION = 10;
const CONVERSATIONS_A = Math.floor(MESSAGES / PER_CONVERSATION);
const CONVERSATIONS_B = Math.max(100, Math.floor(CONVERSATIONS_A / 100));
const BATCH = 5_000; // conversations per seeding statement
const RARE_WORD = 'zanzibarique';
const COMMON_WORD = 'order';
const NAME_A = 'Scale bench A';
const NAME_B = 'Scale bench B';

const masterKey = `icmp_admin_${randomBytes(16).toString('hex')}`;
const dataDir = mkdtempSync(path.join(tmpdir(), 'icmp-data-bench-'));

async function startServer(databaseUrl: string) {
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
      DATABASE_URL: databaseUrl,
      REDIS_URL: '',
      OPENAI_API_KEY: '',
      ANTHROPIC_API_KEY: '',
      RATE_LIMIT_PER_MINUTE: '10000000',
      LOG_LEVEL: 'warn',
    },
    /ICMP is running/,
  );
  return { child, base: `http://127.0.0.1:${port}` };
}

async function api(base: string, method: string, url: string, body?: unknown) {
  const response = await fetch(`${base}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${masterKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  return { status: response.status, json };
}

// ---------------------------------------------------------------------------------------------- fixture

/** A deterministic generator, so two seeds of the same size are the same data. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const WORDS = (
  'hello hi thanks please help need want would like know about price cost delivery shipping when where ' +
  'how what which today tomorrow week month address email phone number name booking appointment table ' +
  'room size color blue red green black white small medium large refund return exchange broken late ' +
  'payment card cash invoice receipt account password login app website store open close hours time ' +
  'available stock product item package tracking status cancel change update confirm yes no maybe ok'
).split(' ');

/** 1,000 sentences; a quarter of them contain the common word. */
function sentences(): string[] {
  const random = prng(17);
  return Array.from({ length: 1000 }, (_, i) => {
    const words = Array.from(
      { length: 6 + Math.floor(random() * 14) },
      () => WORDS[Math.floor(random() * WORDS.length)],
    );
    if (i % 4 === 0) words.splice(Math.floor(random() * words.length), 0, COMMON_WORD);
    return `${words.join(' ')}.`;
  });
}

interface StageRef {
  stage_id: string;
  stage_selection_template_id: string;
  data_extraction_template_id: string;
  response_generation_template_id: string;
}

async function createBusiness(base: string, name: string, extraStages: number) {
  const created = await api(base, 'POST', '/api/businesses', { business_name: name });
  if (created.status !== 201)
    throw new Error(`create business: ${created.status} ${JSON.stringify(created.json)}`);
  const businessId = String(
    (created.json.business as { business_id?: string } | undefined)?.business_id ?? created.json.business_id,
  );
  for (let i = 1; i <= extraStages; i++) {
    const stage = await api(base, 'POST', '/api/stages', {
      business_id: businessId,
      stage_name: `Stage ${i}`,
      stage_description: `Customers at step ${i}`,
      stage_type: 'conversation',
    });
    if (stage.status !== 201) throw new Error(`create stage: ${stage.status} ${JSON.stringify(stage.json)}`);
  }
  return businessId;
}

async function stagesOf(base: string, businessId: string): Promise<StageRef[]> {
  const list = await api(base, 'GET', `/api/stages?business_id=${businessId}&per_page=100`);
  return (list.json.stages as StageRef[]).filter((s) => !s.stage_id.startsWith('x'));
}

/** Seeds `count` conversations (10 messages each, and everything a turn writes) for one business. */
async function seedBusiness(
  client: pg.Client,
  tag: string,
  businessId: string,
  stages: StageRef[],
  count: number,
) {
  const stageArray = (pick: (s: StageRef) => string) =>
    `ARRAY[${stages.map((s) => `'${pick(s)}'`).join(',')}]::uuid[]`;
  const st = stageArray((s) => s.stage_id);
  const tSel = stageArray((s) => s.stage_selection_template_id);
  const tExt = stageArray((s) => s.data_extraction_template_id);
  const tRes = stageArray((s) => s.response_generation_template_id);
  const n = stages.length;
  const id = (kind: string, expr: string) => `md5('${tag}${kind}' || ${expr})::uuid`;
  const started = Date.now();
  for (let from = 0; from < count; from += BATCH) {
    const to = Math.min(count, from + BATCH) - 1;
    const vars = { from, to };
    const series = `generate_series(${vars.from}, ${vars.to}) AS i`;
    await client.query('BEGIN');
    await client.query(`
      INSERT INTO users (user_id, business_id, first_name, last_name, email, phone, whatsapp_id, created_at)
      SELECT ${id('u', 'i')}, '${businessId}', 'First' || i, 'Last' || (i % 997),
             CASE WHEN i % 3 = 0 THEN 'customer' || i || '@example.com' END,
             '+4478' || lpad(i::text, 8, '0'), CASE WHEN i % 10 < 6 THEN 'wa' || i END,
             now() - interval '90 days' * (((i * 7919) % ${count})::float8 / ${count})
        FROM ${series}`);
    await client.query(`
      INSERT INTO conversations (conversation_id, business_id, user_id, stage_id, channel, status, collected_data,
                                 last_sequence, waiting_since, start_time, last_updated)
      SELECT ${id('c', 'i')}, '${businessId}', ${id('u', 'i')}, (${st})[1 + i % ${n}],
             CASE WHEN i % 10 < 6 THEN 'whatsapp' WHEN i % 10 < 8 THEN 'web' WHEN i % 10 < 9 THEN 'messenger' ELSE 'api' END,
             CASE WHEN i % 3 = 0 THEN 'active' ELSE 'closed' END,
             CASE i % 4 WHEN 0 THEN '{}'::jsonb
                        WHEN 1 THEN jsonb_build_object('email', 'customer' || i || '@example.com')
                        WHEN 2 THEN jsonb_build_object('email', 'customer' || i || '@example.com',
                                                       'order_number', 'ORD-' || (i % 5000))
                        ELSE jsonb_build_object('city', (ARRAY['London','Paris','Berlin','Madrid','Rome'])[1 + i % 5],
                                                'party_size', i % 8) END,
             ${PER_CONVERSATION}, CASE WHEN i % 50 = 0 THEN t.start + interval '9 minutes' END,
             t.start, t.start + interval '10 minutes'
        FROM ${series},
             LATERAL (SELECT now() - interval '90 days' * (((i * 7919) % ${count})::float8 / ${count}) AS start) t`);
    await client.query(`
      INSERT INTO messages (message_id, conversation_id, business_id, sender_type, message_content, sequence_number,
                            channel, external_message_id, status, stage_id, reply_to_message_id, metadata, created_at)
      SELECT ${id('m', "i || '-' || s")}, c.conversation_id, c.business_id,
             CASE WHEN s % 2 = 1 THEN 'user' WHEN (i + s) % 17 = 0 THEN 'agent' ELSE 'assistant' END,
             CASE WHEN (i * ${PER_CONVERSATION} + s) % 100000 = 7 THEN 'about ${RARE_WORD} please'
                  ELSE (SELECT text FROM bench_sentences WHERE n = (i * 31 + s * 7) % 1000) END,
             s, c.channel,
             CASE WHEN s % 2 = 1 AND c.channel IN ('whatsapp', 'messenger') THEN 'wamid.${tag}' || i || '.' || s END,
             CASE WHEN s % 2 = 1 THEN 'processed' ELSE 'sent' END,
             c.stage_id,
             CASE WHEN s % 2 = 0 AND (i + s) % 17 <> 0 THEN ${id('m', "i || '-' || (s - 1)")} END,
             CASE WHEN s % 2 = 1 THEN jsonb_build_object('result', jsonb_build_object('stage_id', c.stage_id, 'fallback', false, 'engine', 'llm'))
                  WHEN (i + s) % 17 <> 0 THEN jsonb_build_object('fallback', (i + s) % 50 = 0, 'engine', 'llm') END,
             c.start_time + interval '1 minute' * s
        FROM ${series}
        JOIN conversations c ON c.conversation_id = ${id('c', 'i')},
             generate_series(1, ${PER_CONVERSATION}) AS s`);
    await client.query(`
      INSERT INTO llm_calls (business_id, conversation_id, message_id, template_id, stage_id, call_type, provider, model,
                             system_prompt, prompt, response, tokens_in, tokens_out, latency_ms, cost_usd, status, error,
                             created_at)
      SELECT '${businessId}', ${id('c', 'i')}, ${id('m', "i || '-' || s")},
             CASE k WHEN 1 THEN (${tSel})[1 + i % ${n}] WHEN 2 THEN (${tExt})[1 + i % ${n}] ELSE (${tRes})[1 + i % ${n}] END,
             (${st})[1 + i % ${n}],
             (ARRAY['stage_selection','data_extraction','response_generation'])[k], 'openai', 'gpt-4o-mini',
             'You are the assistant of a small business. Answer briefly and politely.',
             'Conversation so far: ' || (SELECT text FROM bench_sentences WHERE n = (i * 13 + s * 3 + k) % 1000)
               || ' Customer: ' || (SELECT text FROM bench_sentences WHERE n = (i * 31 + s * 7) % 1000),
             CASE k WHEN 1 THEN '{"stage":"Stage 1"}' WHEN 2 THEN '{"email":null}'
                    ELSE (SELECT text FROM bench_sentences WHERE n = (i * 17 + s) % 1000) END,
             300 + (i * 7 + s * 13 + k) % 900, 5 + (i + s + k) % 120,
             150 + ((i * 7919 + s * 104729 + k * 1299709) % 2850), 0.0001 * (1 + (i + k) % 20),
             CASE WHEN (i + s + k) % 50 = 0 THEN 'error' ELSE 'success' END,
             CASE WHEN (i + s + k) % 50 = 0 THEN 'timeout' END,
             c.start_time + interval '1 minute' * s + interval '1 second' * k
        FROM ${series}
        JOIN conversations c ON c.conversation_id = ${id('c', 'i')},
             generate_series(1, ${PER_CONVERSATION}, 2) AS s, generate_series(1, 3) AS k`);
    await client.query(`
      INSERT INTO extracted_data (business_id, conversation_id, message_id, stage_id, data, created_at)
      SELECT '${businessId}', ${id('c', 'i')}, ${id('m', "i || '-' || s")}, (${st})[1 + i % ${n}],
             jsonb_build_object('email', 'customer' || i || '@example.com'),
             c.start_time + interval '1 minute' * s + interval '3 seconds'
        FROM ${series}
        JOIN conversations c ON c.conversation_id = ${id('c', 'i')},
             generate_series(1, ${PER_CONVERSATION}, 2) AS s
       WHERE (i + s) % 5 = 0`);
    await client.query(`
      INSERT INTO stage_transitions (business_id, conversation_id, from_stage_id, to_stage_id, message_id, created_at)
      SELECT '${businessId}', ${id('c', 'i')}, (${st})[1], (${st})[1 + i % ${n}], ${id('m', "i || '-3'")},
             c.start_time + interval '3 minutes 2 seconds'
        FROM ${series}
        JOIN conversations c ON c.conversation_id = ${id('c', 'i')}
       WHERE i % ${n} <> 0`);
    await client.query('COMMIT');
    const done = to + 1;
    if (done % (BATCH * 10) === 0 || done === count) {
      process.stdout.write(
        `  ${tag}: ${done}/${count} conversations (${Math.round((Date.now() - started) / 1000)} s)\n`,
      );
    }
  }
}

async function seed(client: pg.Client, base: string, onlyB = false) {
  console.log(
    onlyB
      ? `Seeding B alone: ${CONVERSATIONS_B} conversations`
      : `Seeding: A ${CONVERSATIONS_A} conversations (${CONVERSATIONS_A * PER_CONVERSATION} messages), B ${CONVERSATIONS_B}`,
  );
  const text = sentences();
  await client.query('CREATE TEMP TABLE bench_sentences (n int PRIMARY KEY, text text NOT NULL)');
  await client.query(
    'INSERT INTO bench_sentences SELECT n - 1, t FROM unnest($1::text[]) WITH ORDINALITY AS x(t, n)',
    [text],
  );
  if (!onlyB) {
    const a = await createBusiness(base, NAME_A, 5);
    await seedBusiness(client, 'A', a, await stagesOf(base, a), CONVERSATIONS_A);
  }
  const b = await createBusiness(base, NAME_B, 2);
  await seedBusiness(client, 'B', b, await stagesOf(base, b), CONVERSATIONS_B);
  await client.query(`CREATE TABLE IF NOT EXISTS bench_fixture (messages int NOT NULL)`);
  await client.query('TRUNCATE bench_fixture');
  await client.query('INSERT INTO bench_fixture VALUES ($1)', [MESSAGES]);
  console.log('ANALYZE…');
  await client.query('VACUUM ANALYZE');
}

async function fixtureReady(client: pg.Client) {
  const table = await client.query("SELECT to_regclass('bench_fixture') IS NOT NULL AS present");
  if (!table.rows[0].present) return false;
  const row = await client.query('SELECT messages FROM bench_fixture');
  return Number(row.rows[0]?.messages) === MESSAGES;
}

async function wipe(client: pg.Client) {
  await client.query(`DROP TABLE IF EXISTS bench_fixture`);
  await client.query(`DELETE FROM businesses WHERE business_name IN ($1, $2)`, [NAME_A, NAME_B]);
}

/**
 * Re-stripes the bench businesses' daily rollup rows over `slots` slots, every key in every slot:
 * each key's rows are summed, and each counter (and histogram bucket) is split as evenly as integers
 * allow (cost: slot 0 takes the rounding), so every sum the overview reads stays the same.
 */
async function stripeRollups(client: pg.Client, slots: number) {
  const { a, b } = await businessIds(client);
  await client.query(`CREATE OR REPLACE FUNCTION pg_temp.bench_split(v numeric, n int, k int) RETURNS numeric
    LANGUAGE sql IMMUTABLE AS $$ SELECT floor(v / n) + CASE WHEN k < v - n * floor(v / n) THEN 1 ELSE 0 END $$`);
  const tables = [
    {
      table: 'analytics_daily',
      keys: ['day', 'simulator'],
      counts: [
        'new_conversations',
        'messages',
        'user_messages',
        'assistant_messages',
        'agent_messages',
        'fallback_replies',
        'ai_stopped_messages',
      ],
    },
    {
      table: 'analytics_daily_stage',
      keys: ['day', 'simulator', 'stage_id'],
      counts: ['transitions_in', 'transitions_out'],
    },
    {
      table: 'analytics_daily_llm',
      keys: ['day', 'simulator', 'call_type', 'model'],
      counts: ['calls', 'errors', 'tokens_in', 'tokens_out'],
    },
  ];
  await client.query('BEGIN');
  for (const { table, keys, counts } of tables) {
    const key = ['business_id', ...keys].join(', ');
    const llm = table === 'analytics_daily_llm';
    await client.query(
      `CREATE TEMP TABLE bench_keys ON COMMIT DROP AS
      SELECT ${key}, ${counts.map((c) => `sum(${c}) AS ${c}`).join(', ')}
             ${llm ? ', sum(cost_usd) AS cost_usd' : ''}
        FROM ${table} WHERE business_id IN ($1, $2) GROUP BY ${key}`,
      [a, b],
    );
    if (llm) {
      await client.query(`ALTER TABLE bench_keys ADD COLUMN latency_hist integer[]`);
      await client.query(`UPDATE bench_keys k SET latency_hist = (
          SELECT array_agg(h.n ORDER BY h.i) FROM (
            SELECT u.i, sum(u.n) AS n FROM analytics_daily_llm r, unnest(r.latency_hist) WITH ORDINALITY AS u(n, i)
             WHERE (${key
               .split(', ')
               .map((c) => `r.${c}`)
               .join(', ')}) = (${key
               .split(', ')
               .map((c) => `k.${c}`)
               .join(', ')})
             GROUP BY u.i) AS h)`);
    }
    await client.query(`DELETE FROM ${table} WHERE business_id IN ($1, $2)`, [a, b]);
    await client.query(`INSERT INTO ${table} (${key}, slot, ${counts.join(', ')}${llm ? ', cost_usd, latency_hist' : ''})
      SELECT ${key}, s.k, ${counts.map((c) => `pg_temp.bench_split(${c}, ${slots}, s.k)`).join(', ')}
             ${
               llm
                 ? `, CASE WHEN s.k = 0 THEN cost_usd - ${slots - 1} * trunc(cost_usd / ${slots}, 12)
                           ELSE trunc(cost_usd / ${slots}, 12) END,
                    ARRAY(SELECT pg_temp.bench_split(u.n, ${slots}, s.k)::int
                            FROM unnest(latency_hist) WITH ORDINALITY AS u(n, i) ORDER BY u.i)`
                 : ''
             }
        FROM bench_keys, generate_series(0, ${slots - 1}) AS s(k)`);
    await client.query('DROP TABLE bench_keys');
  }
  await client.query('COMMIT');
  await client.query('VACUUM ANALYZE analytics_daily, analytics_daily_stage, analytics_daily_llm');
  console.log(`Daily rollups of the bench businesses striped over ${slots} slot(s)`);
}

/** Waits until the server has folded every past day's rollup slots into slot 0 (rollup-compaction.ts). */
async function waitForFold(client: pg.Client) {
  const started = Date.now();
  for (;;) {
    if (
      (await unfoldedRollupRows(
        drizzle(client) as unknown as DbOrTx,
        new Date().toISOString().slice(0, 10),
      )) === 0
    )
      break;
    if (Date.now() - started > 300_000)
      throw new Error('the server did not fold the rollup slots in 5 minutes');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await client.query('VACUUM ANALYZE analytics_daily, analytics_daily_stage, analytics_daily_llm');
  console.log(
    `Past days' slots folded by the server in ${((Date.now() - started) / 1000).toFixed(1)} s (today's kept)`,
  );
}

// ----------------------------------------------------------------------------------------------- timing

interface Row {
  read: string;
  target?: string;
  a?: number | string;
  b?: number | string;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

async function timeGet(base: string, url: string | (() => Promise<string | undefined>)) {
  const resolve = typeof url === 'string' ? async () => url : url;
  const target = await resolve();
  if (target === undefined) return 'n/a';
  const first = await api(base, 'GET', target);
  if (first.status !== 200) return `HTTP ${first.status}`;
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const r = await api(base, 'GET', target);
    times.push(performance.now() - started);
    if (r.status !== 200) return `HTTP ${r.status}`;
  }
  return median(times);
}

async function timeDeletes(base: string, urls: string[]) {
  const times: number[] = [];
  for (const url of urls) {
    const started = performance.now();
    const r = await api(base, 'DELETE', url);
    times.push(performance.now() - started);
    if (r.status !== 204 && r.status !== 202) return `HTTP ${r.status}`;
  }
  return median(times);
}

async function businessIds(client: pg.Client) {
  const rows = await client.query(
    'SELECT business_id, business_name FROM businesses WHERE business_name IN ($1, $2)',
    [NAME_A, NAME_B],
  );
  const find = (name: string) => {
    const id = rows.rows.find((r) => r.business_name === name)?.business_id;
    return id === undefined ? null : String(id);
  };
  return { a: find(NAME_A), b: String(find(NAME_B)) };
}

/** Times every read (A's and B's; only B's in a database without A, printing nothing). */
async function measure(client: pg.Client, base: string): Promise<Row[]> {
  const { a: foundA, b } = await businessIds(client);
  const onlyB = foundA === null;
  const a = foundA ?? '';
  const stageOf = async (business: string) =>
    String(
      (
        await client.query(
          'SELECT stage_id FROM stages WHERE business_id = $1 ORDER BY created_at DESC LIMIT 1',
          [business],
        )
      ).rows[0]?.stage_id,
    );
  const someConversation = async (business: string, offset: number) =>
    String(
      (
        await client.query(
          'SELECT conversation_id FROM conversations WHERE business_id = $1 ORDER BY conversation_id OFFSET $2 LIMIT 1',
          [business, offset],
        )
      ).rows[0]?.conversation_id,
    );
  const stageA = onlyB ? '' : await stageOf(a);
  const stageB = await stageOf(b);
  const detailA = onlyB ? '' : await someConversation(a, 11);
  const detailB = await someConversation(b, 11);
  const list = (business: string, rest = '') =>
    `/api/conversations?business_id=${business}&per_page=20${rest}`;
  const since = (days: number) => encodeURIComponent(new Date(Date.now() - days * 86_400_000).toISOString());
  /** The `next_cursor` a page-number request hands out at that depth (undefined without cursor support). */
  const cursorAt = (url: string, plural: string) => async () => {
    const r = await api(base, 'GET', url);
    const cursor = r.json.next_cursor;
    void plural;
    return typeof cursor === 'string'
      ? `${url.replace(/&page=\d+/, '')}&cursor=${encodeURIComponent(cursor)}`
      : undefined;
  };
  const deepPage = Math.max(2, Math.floor(CONVERSATIONS_A / 20 / 2));
  const rows: Row[] = [];
  const both = async (
    read: string,
    target: string,
    urlA: Parameters<typeof timeGet>[1],
    urlB?: Parameters<typeof timeGet>[1],
  ) => {
    if (onlyB && urlB === undefined) return;
    const row: Row = { read, target };
    if (!onlyB) row.a = await timeGet(base, urlA);
    if (urlB !== undefined) row.b = await timeGet(base, urlB);
    rows.push(row);
    if (!onlyB) printRow(row);
  };
  if (!onlyB) printHeader();
  await both('list page 1', '≤ 50', list(a, '&page=1'), list(b, '&page=1'));
  await both('list page 200', '≤ 50', list(a, '&page=200'));
  await both('list page 1000', '≤ 50', list(a, '&page=1000'));
  await both(`list page ${deepPage} (offset)`, '—', list(a, `&page=${deepPage}`));
  await both(
    `list cursor at page ${deepPage}`,
    '≤ 50',
    cursorAt(list(a, `&page=${deepPage}`), 'conversations'),
  );
  await both('list stage filter', '≤ 50', list(a, `&stage_id=${stageA}`), list(b, `&stage_id=${stageB}`));
  await both(
    'list channel + 7-day filter',
    '≤ 50',
    list(a, `&channel=whatsapp&from=${since(7)}`),
    list(b, `&channel=whatsapp&from=${since(7)}`),
  );
  await both(
    'list waiting (inbox)',
    '≤ 50',
    list(a, '&waiting=true&status=active'),
    list(b, '&waiting=true&status=active'),
  );
  await both('list q= rare word', '≤ 50', list(a, `&q=${RARE_WORD}`), list(b, `&q=${RARE_WORD}`));
  await both('list q= common word', '≤ 200', list(a, `&q=${COMMON_WORD}`), list(b, `&q=${COMMON_WORD}`));
  await both(
    'list data.order_number=',
    '≤ 50',
    list(a, '&data.order_number=ORD-42'),
    list(b, '&data.order_number=ORD-42'),
  );
  await both(
    'conversation detail (10 msgs)',
    '≤ 20',
    `/api/conversations/${detailA}`,
    `/api/conversations/${detailB}`,
  );
  await both(
    'messages page',
    '≤ 20',
    `/api/conversations/${detailA}/messages`,
    `/api/conversations/${detailB}/messages`,
  );
  await both(
    'llm-calls limit=50',
    '≤ 30',
    `/api/llm-calls?business_id=${a}&limit=50`,
    `/api/llm-calls?business_id=${b}&limit=50`,
  );
  await both('llm-calls page 1000', '—', `/api/llm-calls?business_id=${a}&limit=50&page=1000`);
  await both(
    'llm-calls cursor at page 1000',
    '≤ 30',
    cursorAt(`/api/llm-calls?business_id=${a}&limit=50&page=1000`, 'llm_calls'),
  );
  await both(
    'analytics overview 30 days',
    '≤ 200',
    `/api/analytics/overview?business_id=${a}`,
    `/api/analytics/overview?business_id=${b}`,
  );
  await both(
    'analytics overview 7 days',
    '≤ 200',
    `/api/analytics/overview?business_id=${a}&from=${since(7)}`,
    `/api/analytics/overview?business_id=${b}&from=${since(7)}`,
  );

  // Deletes, last: five conversations of each business.
  const victims = async (business: string) =>
    (
      await client.query(
        'SELECT conversation_id FROM conversations WHERE business_id = $1 ORDER BY conversation_id DESC LIMIT 5',
        [business],
      )
    ).rows.map((r) => `/api/conversations/${r.conversation_id}`);
  const deleteRow: Row = { read: 'delete a conversation', target: '≤ 100' };
  if (!onlyB) deleteRow.a = await timeDeletes(base, await victims(a));
  deleteRow.b = await timeDeletes(base, await victims(b));
  rows.push(deleteRow);
  if (onlyB) return rows;
  printRow(deleteRow);
  if (!SKIP_STAGE_DELETE) {
    rows.push(await stageDelete(client, base, a));
    printRow(rows[rows.length - 1] as Row);
  }
  return rows;
}

/** A fresh stage, 20 % of A's conversations (and everything of theirs) moved into it untimed, then deleted. */
async function stageDelete(client: pg.Client, base: string, business: string): Promise<Row> {
  const created = await api(base, 'POST', '/api/stages', {
    business_id: business,
    stage_name: `Doomed ${randomBytes(3).toString('hex')}`,
    stage_description: 'deleted by the bench',
    stage_type: 'conversation',
  });
  if (created.status !== 201) return { read: 'delete a stage', a: `HTTP ${created.status}` };
  const doomed = String(created.json.stage_id);
  const share = Math.floor(CONVERSATIONS_A / 5);
  await client.query('CREATE TEMP TABLE IF NOT EXISTS doomed_conversations (id uuid PRIMARY KEY)');
  await client.query('TRUNCATE doomed_conversations');
  await client.query(
    'INSERT INTO doomed_conversations SELECT conversation_id FROM conversations WHERE business_id = $1 ORDER BY conversation_id LIMIT $2',
    [business, share],
  );
  for (const [table, column] of [
    ['conversations', 'conversation_id'],
    ['messages', 'conversation_id'],
    ['llm_calls', 'conversation_id'],
    ['extracted_data', 'conversation_id'],
  ] as const) {
    await client.query(
      `UPDATE ${table} SET stage_id = $1 WHERE ${column} IN (SELECT id FROM doomed_conversations)`,
      [doomed],
    );
  }
  await client.query(
    'UPDATE stage_transitions SET to_stage_id = $1 WHERE conversation_id IN (SELECT id FROM doomed_conversations)',
    [doomed],
  );
  const referenced = await client.query('SELECT count(*)::int AS n FROM messages WHERE stage_id = $1', [
    doomed,
  ]);
  await client.query('VACUUM ANALYZE messages, llm_calls, conversations, extracted_data, stage_transitions');
  const started = performance.now();
  const r = await api(base, 'DELETE', `/api/stages/${doomed}`);
  let elapsed = performance.now() - started;
  if (r.status === 202) {
    // Asynchronous: wait until no row references the stage any more.
    for (;;) {
      const left = await client.query('SELECT count(*)::int AS n FROM messages WHERE stage_id = $1', [
        doomed,
      ]);
      if (left.rows[0].n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    elapsed = performance.now() - started;
  } else if (r.status !== 204) {
    return { read: 'delete a stage', a: `HTTP ${r.status}` };
  }
  return {
    read: `delete a stage (${referenced.rows[0].n} messages)${r.status === 202 ? ' async' : ''}`,
    target: '≤ 5000',
    a: elapsed,
  };
}

const fmt = (value: number | string | undefined) =>
  value === undefined
    ? ''
    : typeof value === 'number'
      ? `${value < 10 ? value.toFixed(1) : Math.round(value).toLocaleString('en')} ms`
      : value;

function printHeader() {
  console.log(
    `\n| read | target (ms) | A (${CONVERSATIONS_A * PER_CONVERSATION} msgs) | B (${CONVERSATIONS_B * PER_CONVERSATION} msgs) |`,
  );
  console.log('|---|---|---|---|');
}

function printRow(row: Row) {
  console.log(`| ${row.read} | ${row.target ?? ''} | ${fmt(row.a)} | ${fmt(row.b)} |`);
}

/**
 * Opens (creating it when missing) the database at `url`, starts a server on it (which migrates it) and
 * seeds the fixture unless it holds this size's already — both businesses, or B alone.
 */
async function openFixture(url: string, onlyB: boolean) {
  await ensureDatabase(url);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const server = await startServer(url);
  try {
    if (RESEED || !(await fixtureReady(client))) {
      await wipe(client);
      await seed(client, server.base, onlyB);
      // The seeded LLM calls, messages and conversations enter their rollups by a fold (migrations
      // 0025, 0026, 0031), which the server's own job would do within seconds; done here so that no
      // timed read folds the seeding's backlog.
      for (const [rows, fold] of [
        ['LLM calls', 'analytics_fold_llm_calls'],
        ['messages', 'analytics_fold_messages'],
      ]) {
        const started = Date.now();
        const { rows: folded } = await client.query(`SELECT ${fold}(true) AS n`);
        console.log(
          `Seeded ${rows} folded into their rollups: ${folded[0]?.n ?? 0} in ${Date.now() - started} ms`,
        );
      }
    } else {
      console.log(`Reusing the fixture (${MESSAGES} messages); --reseed to seed again`);
      // Autovacuum is off on the bench machine: the deletes of earlier runs left dead rows behind.
      await client.query('VACUUM ANALYZE');
    }
    if (SLOTS === undefined) return { client, server };
    await stripeRollups(client, SLOTS);
    // A server folds past days back into slot 0 when it starts (and hourly): start one and wait, so
    // the reads see what a busy installation's do — past days folded, today striped.
    await stopProcess(server.child);
    const restarted = await startServer(url);
    await waitForFold(client);
    return { client, server: restarted };
  } catch (error) {
    await stopProcess(server.child);
    await client.end();
    throw error;
  }
}

/** The same database name with a suffix (B alone beside the fixture). */
function siblingDatabase(url: string, suffix: string) {
  const sibling = new URL(url);
  sibling.pathname = `/${decodeURIComponent(sibling.pathname.slice(1))}${suffix}`;
  return sibling.toString();
}

async function main() {
  try {
    const both = await openFixture(databaseUrl as string, false);
    let beside: Row[];
    try {
      const [one, five, fifteen] = loadavg();
      console.log(
        `load average before timing: ${one?.toFixed(2)} ${five?.toFixed(2)} ${fifteen?.toFixed(2)}; median of ${RUNS}`,
      );
      beside = await measure(both.client, both.server.base);
      const [after] = loadavg();
      console.log(`\nload average after: ${after?.toFixed(2)}`);
    } finally {
      await stopProcess(both.server.child);
      await both.client.end();
    }
    if (SKIP_B_ALONE) return;
    const alone = await openFixture(siblingDatabase(databaseUrl as string, '_b_alone'), true);
    try {
      const own = await measure(alone.client, alone.server.base);
      console.log(
        `\nB beside A's ${CONVERSATIONS_A * PER_CONVERSATION} messages and B alone (target: within 20 %)\n`,
      );
      console.log('| read | B beside A | B alone | beside / alone |');
      console.log('|---|---|---|---|');
      for (const row of own) {
        const b = beside.find((r) => r.read === row.read)?.b;
        const ratio = typeof b === 'number' && typeof row.b === 'number' ? `${(b / row.b).toFixed(2)}×` : '';
        console.log(`| ${row.read} | ${fmt(b)} | ${fmt(row.b)} | ${ratio} |`);
      }
      const [after] = loadavg();
      console.log(`\nload average after: ${after?.toFixed(2)}`);
    } finally {
      await stopProcess(alone.server.child);
      await alone.client.end();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
