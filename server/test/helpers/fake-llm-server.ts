// An OpenAI-compatible chat-completions server over real HTTP, scripted by tests and benchmarks.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type FakeChatMessage,
  normaliseMessages,
  sendCompletion,
  sendCompletionStream,
  sendError,
  sendJson,
  sendMalformed,
} from './fake-llm-protocol.js';

export type { FakeChatMessage } from './fake-llm-protocol.js';

export interface FakeLlmRequest {
  headers: IncomingHttpHeaders;
  /** The parsed JSON body; null when it was not valid JSON. */
  body: unknown;
  messages: FakeChatMessage[];
  model: string | undefined;
  response_format: unknown;
  stream: boolean;
  stream_options: unknown;
  /** All message contents joined by newlines: what string and RegExp matchers search. */
  text: string;
}

export type FakeAnswer =
  | { content: string }
  | { json: unknown }
  | { status: number; body?: unknown }
  | { hang: true }
  | { malformed: true };

export type FakeAnswerer = (request: FakeLlmRequest) => FakeAnswer;
export type FakeMatcher = string | RegExp | ((request: FakeLlmRequest) => boolean);

export interface ScriptOptions {
  /** Substring or RegExp over `text`, or a predicate; omitted matches every request. */
  match?: FakeMatcher;
  /** Answer only the Nth matching request (1-based); other matches fall through to later rules. */
  nth?: number;
  /** Answer at most this many requests, then stop matching. */
  times?: number;
  /** Extra delay for this rule, on top of the server latency. */
  delayMs?: number;
}

export type ScriptRule = ScriptOptions & (FakeAnswer | { respond: FakeAnswerer });

export interface ScriptHandle {
  /** How many requests this rule answered. */
  readonly hits: number;
  remove(): void;
}

export interface FakeLlmOptions {
  port?: number;
  host?: string;
  latencyMs?: number;
  defaultAnswer?: FakeAnswerer;
  /** Keep received bodies in `requests` (default true). Long benchmarks turn this off to bound memory. */
  record?: boolean;
  /** Model id listed by GET /v1/models and used when a request names none. */
  model?: string;
}

export interface FakeLlm {
  /** Base URL ending in `/v1`, for an OpenAI-compatible client's baseURL. */
  readonly url: string;
  readonly port: number;
  readonly requests: FakeLlmRequest[];
  /** Chat-completion requests received, counted even when recording is off. */
  readonly requestCount: number;
  /** Rules are tried in the order they were added; the first that matches answers. */
  script(rule: ScriptRule): ScriptHandle;
  setDefault(answerer: FakeAnswerer): void;
  setLatency(ms: number): void;
  /** Forget requests and rules; restore the default answer and the initial latency. */
  reset(): void;
  close(): Promise<void>;
}

interface ActiveRule {
  rule: ScriptRule;
  matched: number;
  hits: number;
}

export const answerByDefault: FakeAnswerer = (request) => {
  const format = (request.response_format ?? {}) as { type?: unknown };
  return format.type === 'json_object' || format.type === 'json_schema' ? { json: {} } : { content: 'OK' };
};

const MAX_BODY_BYTES = 10 * 1024 * 1024;

export async function startFakeLlmServer(options: FakeLlmOptions = {}): Promise<FakeLlm> {
  const model = options.model ?? 'fake-model';
  const initialLatency = options.latencyMs ?? 0;
  const initialDefault = options.defaultAnswer ?? answerByDefault;
  const record = options.record ?? true;
  const requests: FakeLlmRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let rules: ActiveRule[] = [];
  let latency = initialLatency;
  let fallback = initialDefault;
  let requestCount = 0;

  function findRule(request: FakeLlmRequest): ActiveRule | undefined {
    for (const active of rules) {
      const { match, nth, times } = active.rule;
      if (times !== undefined && active.hits >= times) continue;
      if (!matches(match, request)) continue;
      active.matched += 1;
      if (nth !== undefined && active.matched !== nth) continue;
      active.hits += 1;
      return active;
    }
    return undefined;
  }

  function answer(req: IncomingMessage, res: ServerResponse, raw: string): void {
    requestCount += 1;
    const request = parseRequest(req.headers, raw);
    if (record) requests.push(request);
    if (request.body === null || typeof request.body !== 'object') return sendError(res, 400, 'Request body is not valid JSON');
    if (!Array.isArray((request.body as { messages?: unknown }).messages)) return sendError(res, 400, "'messages' is required");

    const rule = findRule(request)?.rule;
    const reply = rule ? ('respond' in rule ? rule.respond(request) : rule) : fallback(request);
    if ('hang' in reply) return;
    const delay = latency + (rule?.delayMs ?? 0);
    if (delay <= 0) return writeReply(res, request, reply);
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!res.destroyed) writeReply(res, request, reply);
    }, delay);
    timers.add(timer);
  }

  function writeReply(res: ServerResponse, request: FakeLlmRequest, reply: FakeAnswer): void {
    if ('status' in reply) {
      if (reply.body === undefined) return sendError(res, reply.status, `Fake LLM error ${reply.status}`, 'server_error');
      return sendJson(res, reply.status, reply.body);
    }
    if ('malformed' in reply) return sendMalformed(res, request.stream);
    if ('hang' in reply) return;
    const content = 'json' in reply ? JSON.stringify(reply.json) : reply.content;
    const context = {
      id: `chatcmpl-fake-${requestCount}`,
      model: request.model ?? model,
      promptChars: request.messages.reduce((sum, message) => sum + message.content.length, 0),
      includeUsage: Boolean((request.stream_options as { include_usage?: unknown } | undefined)?.include_usage),
    };
    if (request.stream) sendCompletionStream(res, context, content);
    else sendCompletion(res, context, content);
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/v1/models' && req.method === 'GET') {
      return sendJson(res, 200, { object: 'list', data: [{ id: model, object: 'model', created: 0, owned_by: 'fake-llm' }] });
    }
    if (path !== '/v1/chat/completions') return sendError(res, 404, `Unknown path ${path}`);
    if (req.method !== 'POST') return sendError(res, 405, 'Use POST');
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return sendError(res, 413, 'Request body too large');
      answer(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  });
  // Longer than undici's 4 s client keep-alive, so the client always closes idle sockets first.
  server.keepAliveTimeout = 10_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;

  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}/v1`,
    port,
    requests,
    get requestCount() {
      return requestCount;
    },
    script(rule) {
      const active: ActiveRule = { rule, matched: 0, hits: 0 };
      rules.push(active);
      return {
        get hits() {
          return active.hits;
        },
        remove: () => {
          rules = rules.filter((candidate) => candidate !== active);
        },
      };
    },
    setDefault(answerer) {
      fallback = answerer;
    },
    setLatency(ms) {
      latency = Math.max(0, ms);
    },
    reset() {
      requests.length = 0;
      rules = [];
      latency = initialLatency;
      fallback = initialDefault;
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Hanging requests and idle keep-alive sockets would otherwise hold close() open.
        server.closeAllConnections();
      });
    },
  };
}

function matches(matcher: FakeMatcher | undefined, request: FakeLlmRequest): boolean {
  if (matcher === undefined) return true;
  if (typeof matcher === 'string') return request.text.includes(matcher);
  if (matcher instanceof RegExp) {
    matcher.lastIndex = 0; // a /g or /y matcher keeps state between test() calls
    return matcher.test(request.text);
  }
  return matcher(request);
}

function parseRequest(headers: IncomingHttpHeaders, raw: string): FakeLlmRequest {
  let body: unknown = null;
  try {
    body = JSON.parse(raw);
  } catch {
    body = null;
  }
  const fields = (body !== null && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const messages = normaliseMessages(fields.messages);
  return {
    headers,
    body,
    messages,
    model: typeof fields.model === 'string' ? fields.model : undefined,
    response_format: fields.response_format,
    stream: fields.stream === true,
    stream_options: fields.stream_options,
    text: messages.map((message) => message.content).join('\n'),
  };
}
