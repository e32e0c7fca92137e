/**
 * The bare I/O floor of a turn, the yardstick `npm run bench` measures the product against (issue 14).
 * A plain `node:http` server that does only what answering a message must do, and nothing else:
 * parse the JSON request, 4 SQL statements (named, prepared once per connection, as the product's hot
 * statements are) through `pg` on the bench's database (store the inbound
 * message, lease the conversation and read its state, read the history for the prompts, store the turn
 * in one statement), the same three chat-completions calls to the same fake LLM (stage selection ∥ fact
 * extraction, then the reply) over keep-alive connections, and a JSON reply. It keeps what the product
 * promises for every turn and no more: the call log holds each call's system prompt, prompt, answer,
 * model, tokens and latency (product.md), the reply quotes each step's prompts and answer as
 * `processing_steps` do (api.md), and the prompts are the product's default templates (the bench's
 * business runs them) rendered with the same values and as much history as the product's default
 * (`DEFAULT_HISTORY_LIMIT`, 20 messages), so both send the same three calls (the bench's prompt tokens
 * per message, product/floor, read 1.00). No auth, no validation
 * library, no logging, no ORM: whatever the product spends above this is overhead to justify.
 *
 *   tsx bench/floor-server.ts --port 0 --database postgres://… --llm http://127.0.0.1:4010/v1 [--schema product]
 *
 * Its tables live in their own schema (`bench_floor`), created on start and dropped on SIGTERM. With
 * `--schema product` the same statements write the product's own tables instead, in a business of
 * their own (floor-product-schema.ts): the floor with the product's schema and none of its code.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { Pool as HttpPool } from 'undici';
import { DEFAULT_STAGE, DEFAULT_TEMPLATES } from '../src/modules/templates/default-templates.js';
import { productSchemaStore } from './floor-product-schema.js';
import { type FloorStore, readHistory } from './floor-store.js';

const option = (name: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
};
const databaseUrl = option('database') ?? '';
const llmUrl = new URL(option('llm') ?? '');
const SCHEMA_KIND = option('schema') ?? 'bare';
if (!databaseUrl || !llmUrl.host || !['bare', 'product'].includes(SCHEMA_KIND))
  throw new Error('usage: floor-server --port N --database URL --llm URL [--schema bare|product]');

const SCHEMA = 'bench_floor';
const STAGES = ['General', 'Complaints'];
const MODEL = 'bench-model';
const DESCRIPTION = 'A restaurant used for benchmarking';
/** The product's `DEFAULT_HISTORY_LIMIT` (templates/variables/conversation-history.ts). */
const HISTORY_LIMIT = 20;
const db = new pg.Pool({ connectionString: databaseUrl, max: 20 });
// No cap on connections, like the product's undici Agent: at c=256 with a 300 ms model a cap of 128
// made the floor queue for sockets (133 msg/s) and the product look faster than its floor.
const llm = new HttpPool(llmUrl.origin, { pipelining: 1 });
const completionsPath = `${llmUrl.pathname.replace(/\/$/, '')}/chat/completions`;
const owner = `floor-${process.pid}`;

/** The bare tables: only the columns a turn needs, one index. */
function bareStore(): FloorStore {
  const CREATE_TABLES = `
    DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE;
    CREATE SCHEMA ${SCHEMA};
    CREATE TABLE ${SCHEMA}.conversations (
      conversation_id uuid PRIMARY KEY, user_id uuid NOT NULL UNIQUE, stage text NOT NULL,
      collected_data jsonb NOT NULL DEFAULT '{}', last_sequence int NOT NULL DEFAULT 0,
      lease_owner text, lease_until timestamptz);
    CREATE TABLE ${SCHEMA}.messages (
      message_id uuid PRIMARY KEY, conversation_id uuid NOT NULL, sequence_number int NOT NULL,
      sender_type text NOT NULL, content text NOT NULL, status text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now());
    CREATE INDEX ON ${SCHEMA}.messages (conversation_id, sequence_number);
    CREATE TABLE ${SCHEMA}.llm_calls (
      message_id uuid NOT NULL, call_type text NOT NULL, model text NOT NULL, system_prompt text NOT NULL,
      prompt text NOT NULL, response text NOT NULL, tokens_in int NOT NULL, tokens_out int NOT NULL,
      latency_ms int NOT NULL, created_at timestamptz NOT NULL DEFAULT now());`;
  /**
   * Statement 1: the customer's words, durable, in the user's conversation (created on first contact),
   * with the next sequence number reserved for the reply.
   */
  const INSERT_INBOUND = `
    WITH conv AS (
      INSERT INTO ${SCHEMA}.conversations AS c (conversation_id, user_id, stage, last_sequence)
      VALUES ($1, $2, '${STAGES[0]}', 2)
      ON CONFLICT (user_id) DO UPDATE SET last_sequence = c.last_sequence + 2
      RETURNING conversation_id, last_sequence)
    INSERT INTO ${SCHEMA}.messages (message_id, conversation_id, sequence_number, sender_type, content, status)
    SELECT $3, conversation_id, last_sequence - 1, 'user', $4, 'pending' FROM conv
    RETURNING conversation_id, sequence_number`;
  /** Statement 2: the lease, with the conversation's state. */
  const LEASE = `
    UPDATE ${SCHEMA}.conversations SET lease_owner = $2, lease_until = now() + interval '10 seconds'
     WHERE conversation_id = $1 AND (lease_owner IS NULL OR lease_owner = $2 OR lease_until < now())
    RETURNING stage, collected_data`;
  /** Statement 3: the history the prompts quote. */
  const HISTORY = `
    SELECT sender_type, content FROM ${SCHEMA}.messages
     WHERE conversation_id = $1 AND sequence_number < $2 ORDER BY sequence_number DESC LIMIT ${HISTORY_LIMIT}`;
  /** Statement 4: the turn — reply, inbound processed, state, call log, lease released — at once. */
  const PERSIST = `
    WITH reply AS (
      INSERT INTO ${SCHEMA}.messages (message_id, conversation_id, sequence_number, sender_type, content, status)
      VALUES ($1, $2, $3, 'ai', $4, 'sent')),
    inbound AS (UPDATE ${SCHEMA}.messages SET status = 'processed' WHERE message_id = $5),
    calls AS (
      INSERT INTO ${SCHEMA}.llm_calls
        (message_id, call_type, model, system_prompt, prompt, response, tokens_in, tokens_out, latency_ms)
      SELECT $5, t, '${MODEL}', sp, p, r, i, o, l
        FROM unnest($6::text[], $7::text[], $8::text[], $9::text[], $10::int[], $11::int[], $12::int[])
          AS x(t, sp, p, r, i, o, l))
    UPDATE ${SCHEMA}.conversations
       SET stage = $13, collected_data = collected_data || $14::jsonb, lease_owner = NULL, lease_until = NULL
     WHERE conversation_id = $2`;
  return {
    async setUp() {
      await db.query(CREATE_TABLES);
    },
    async tearDown() {
      await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    },
    async inbound(userId, inboundId, content) {
      const { rows } = await db.query({ name: 'floor_inbound', text: INSERT_INBOUND }, [
        randomUUID(),
        userId,
        inboundId,
        content,
      ]);
      const row = rows[0] as { conversation_id: string; sequence_number: number };
      return { conversationId: row.conversation_id, sequence: row.sequence_number };
    },
    async lease(conversationId) {
      const row = (await db.query({ name: 'floor_lease', text: LEASE }, [conversationId, owner])).rows[0] as
        | { stage: string; collected_data: Record<string, unknown> }
        | undefined;
      return row && { stage: row.stage, collected: row.collected_data };
    },
    history: (conversationId, sequence) => readHistory(db, HISTORY, conversationId, sequence),
    async persist(turn) {
      const { calls } = turn;
      await db.query({ name: 'floor_persist', text: PERSIST }, [
        randomUUID(),
        turn.conversationId,
        turn.sequence + 1,
        turn.reply,
        turn.inboundId,
        calls.map((call) => call.step),
        calls.map((call) => call.system),
        calls.map((call) => call.prompt),
        calls.map((call) => call.text),
        calls.map((call) => call.tokensIn),
        calls.map((call) => call.tokensOut),
        calls.map((call) => call.latencyMs),
        turn.stage,
        JSON.stringify(turn.facts),
      ]);
    },
  };
}

const store =
  SCHEMA_KIND === 'product'
    ? productSchemaStore(db, { owner, stages: STAGES, historyLimit: HISTORY_LIMIT, description: DESCRIPTION })
    : bareStore();

interface Completion {
  choices?: Array<{ message?: { content?: string } }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

async function complete(step: string, system: string, prompt: string, format?: unknown) {
  const started = performance.now();
  const { statusCode, body } = await llm.request({
    path: completionsPath,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer bench' },
    body: JSON.stringify({
      model: MODEL,
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: prompt },
      ],
      ...(format ? { response_format: format } : {}),
    }),
  });
  const answer = (await body.json()) as Completion;
  if (statusCode !== 200) throw new Error(`LLM answered ${statusCode}`);
  return {
    step,
    system,
    prompt,
    latencyMs: Math.round(performance.now() - started),
    text: answer.choices?.[0]?.message?.content ?? '',
    tokensIn: answer.usage?.prompt_tokens ?? 0,
    tokensOut: answer.usage?.completion_tokens ?? 0,
  };
}

const STAGE_FORMAT = {
  type: 'json_schema',
  json_schema: {
    name: 'stage',
    strict: true,
    schema: {
      type: 'object',
      properties: { stage: { type: 'string', enum: STAGES } },
      required: ['stage'],
      additionalProperties: false,
    },
  },
};

/**
 * The business as the bench creates it in the product (bench-business.ts), so that the product's default
 * templates render to the same text here and there.
 */
const BUSINESS_NAME = `Bench ${Date.now()}`;
const STAGE_DESCRIPTIONS: Record<string, string> = {
  General: DEFAULT_STAGE.stageDescription,
  Complaints: 'Unhappy customers',
};
const BUSINESS_INFO = `Name: ${BUSINESS_NAME}\nDescription: ${DESCRIPTION}`;
const AVAILABLE_STAGES = STAGES.map((s) => `${s}: ${STAGE_DESCRIPTIONS[s]}`).join('\n');
/** The product's speaker labels; the bare tables call the reply's sender `ai`, the product's `assistant`. */
const SPEAKERS: Record<string, string> = { user: 'User', ai: 'Assistant', assistant: 'Assistant' };

/** A template split once at `{{name}}`: literal text at even indexes, variable names at odd ones. */
const split = (text: string) => text.split(/\{\{\s*(\w+)\s*\}\}/);
const TEMPLATES = Object.fromEntries(
  Object.entries(DEFAULT_TEMPLATES).map(([role, t]) => [
    role,
    { system: split(t.systemPrompt), content: split(t.content) },
  ]),
) as Record<keyof typeof DEFAULT_TEMPLATES, { system: string[]; content: string[] }>;

function fill(parts: string[], values: Record<string, string>) {
  let text = parts[0] as string;
  for (let i = 1; i < parts.length; i += 2) text += (values[parts[i] as string] ?? '') + parts[i + 1];
  return text;
}

/**
 * The three prompts: the product's default templates (what the bench's business runs), with the
 * variables they quote, so that both servers send the same three calls. The floor renders them its own
 * way, without the product's code.
 */
function prompts(stage: string, collected: Record<string, unknown>, history: string, content: string) {
  const values: Record<string, string> = {
    business_name: BUSINESS_NAME,
    business_description: DESCRIPTION,
    business_info: BUSINESS_INFO,
    available_stages: AVAILABLE_STAGES,
    current_stage: stage,
    current_stage_description: STAGE_DESCRIPTIONS[stage] ?? '',
    conversation_history: history,
    message_content: content,
    extracted_data: JSON.stringify(collected, null, 2),
    user_name: '',
  };
  const render = (role: keyof typeof TEMPLATES) => [
    fill(TEMPLATES[role].system, values),
    fill(TEMPLATES[role].content, values),
  ];
  return {
    selection: render('stage_selection'),
    extraction: render('data_extraction'),
    response: (next: string, facts: Record<string, unknown>) => {
      values.current_stage = next;
      values.current_stage_description = STAGE_DESCRIPTIONS[next] ?? '';
      values.extracted_data = JSON.stringify(facts, null, 2);
      return render('response_generation');
    },
  };
}

/** One turn: statements 1–3, selection ∥ extraction, the reply, statement 4. */
async function turn(content: string, userId: string, inboundId: string) {
  const { conversationId, sequence } = await store.inbound(userId, inboundId, content);
  const state = (await store.lease(conversationId)) ?? { stage: STAGES[0] as string, collected: {} };
  const history = (await store.history(conversationId, sequence))
    .reverse()
    .map((row) => `${SPEAKERS[row.sender] ?? row.sender}: ${row.content}`)
    .join('\n');
  const p = prompts(state.stage, state.collected, history, content);
  const [selected, extracted] = await Promise.all([
    complete('stage_selection', p.selection[0] as string, p.selection[1] as string, STAGE_FORMAT),
    complete('data_extraction', p.extraction[0] as string, p.extraction[1] as string, {
      type: 'json_object',
    }),
  ]);
  const chosen = (JSON.parse(selected.text) as { stage?: string }).stage;
  const stage = chosen && STAGES.includes(chosen) ? chosen : state.stage;
  const facts = JSON.parse(extracted.text || '{}') as Record<string, unknown>;
  const [system, prompt] = p.response(stage, { ...state.collected, ...facts });
  const reply = await complete('response_generation', system as string, prompt as string);
  const calls = [selected, extracted, reply];
  await store.persist({
    conversationId,
    inboundId,
    sequence,
    reply: reply.text,
    previousStage: state.stage,
    stage,
    facts,
    calls,
    model: MODEL,
  });
  return { conversationId, stage, facts, reply: reply.text, calls };
}

function send(res: ServerResponse, status: number, body: unknown) {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

async function handle(res: ServerResponse, raw: string) {
  let body: { content?: unknown; user_id?: unknown };
  try {
    body = JSON.parse(raw);
  } catch {
    return send(res, 400, { error: { code: 'INVALID_JSON', message: 'The body is not JSON' } });
  }
  if (typeof body.content !== 'string' || (body.user_id !== undefined && typeof body.user_id !== 'string'))
    return send(res, 400, {
      error: { code: 'VALIDATION_ERROR', message: 'content (and user_id) are strings' },
    });
  const userId = (body.user_id as string | undefined) ?? randomUUID();
  const inboundId = randomUUID();
  const done = await turn(body.content, userId, inboundId);
  send(res, 200, {
    conversation_id: done.conversationId,
    user_id: userId,
    message_id: inboundId,
    stage: done.stage,
    extracted_data: done.facts,
    response: done.reply,
    processing_steps: done.calls.map((call) => ({
      step: call.step,
      prompt: call.prompt,
      system_prompt: call.system,
      response: call.text,
      latency_ms: call.latencyMs,
    })),
  });
}

const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  if (req.method !== 'POST' || req.url !== '/api/message')
    return send(res, 404, { error: { code: 'NOT_FOUND' } });
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    handle(res, Buffer.concat(chunks).toString('utf8')).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { error: { code: 'INTERNAL', message: String(error) } });
    });
  });
});
server.keepAliveTimeout = 10_000;

await store.setUp();
server.listen(Number(option('port') ?? 0), '127.0.0.1', () => {
  console.log(`floor listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});

process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void (async () => {
    await store.tearDown().catch(() => {});
    await Promise.all([db.end(), llm.close()]);
    process.exit(0);
  })();
});
