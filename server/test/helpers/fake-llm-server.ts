// An OpenAI-compatible chat-completions server over real HTTP, scripted by tests and benchmarks.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  completionStreamEvents,
  findInvalidBody,
  parseRequest,
  sendCompletion,
  sendCompletionStream,
  sendError,
  sendJson,
  sendMalformed,
  startEventStream,
  usageOf,
} from './fake-llm-protocol.js';
import type {
  FakeAnswer,
  FakeAnswerer,
  FakeFaults,
  FakeLlm,
  FakeLlmOptions,
  FakeLlmRequest,
  FakeMatcher,
  ScriptRule,
} from './fake-llm-types.js';

export type * from './fake-llm-types.js';

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
  const initialStreamInterval = options.streamIntervalMs ?? 0;
  let streamInterval = initialStreamInterval;
  let fallback = initialDefault;
  let requestCount = 0;
  const initialRefused = options.refuseFormats ?? [];
  let refused = new Set<string>(initialRefused);
  let faults: FakeFaults = options.faults ?? {};
  const faultCounts = { errors: 0, hangs: 0 };
  // What was answered and billed (the usage each completion reports), for the bench's cost per message.
  const served = { completions: 0, prompt_tokens: 0, completion_tokens: 0 };

  /** An injected fault for this request, if the dice say so. */
  function rollFault(): 'error' | 'hang' | null {
    const errorRate = faults.errorRate ?? 0;
    const hangRate = faults.hangRate ?? 0;
    if (errorRate <= 0 && hangRate <= 0) return null;
    const roll = (faults.random ?? Math.random)();
    if (roll < errorRate) return 'error';
    if (roll < errorRate + hangRate) return 'hang';
    return null;
  }

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
    const id = `chatcmpl-fake-${requestCount}`;
    const request: FakeLlmRequest = { ...parseRequest(req.headers, raw), receivedAt: performance.now() };
    // When the answer's last byte is handed to the socket (or the client went away): the call's end.
    res.once('close', () => {
      request.answeredAt ??= performance.now();
    });
    res.once('finish', () => {
      request.answeredAt = performance.now();
    });
    if (record) requests.push(request);
    const invalid = findInvalidBody(request.body);
    if (invalid) {
      sendError(res, 400, invalid);
      return;
    }

    const formatType = (request.response_format as { type?: unknown } | undefined)?.type;
    if (typeof formatType === 'string' && refused.has(formatType)) {
      // The wording of llama.cpp / vLLM style refusals: a 400 naming the parameter and the type.
      sendJson(res, 400, {
        error: {
          message: `response_format type "${formatType}" is not supported by this server`,
          type: 'invalid_request_error',
          param: 'response_format',
          code: null,
        },
      });
      return;
    }
    const fault = rollFault();
    if (fault === 'error') {
      faultCounts.errors += 1;
      sendError(res, 500, 'Fake LLM injected fault', 'server_error');
      return;
    }
    if (fault === 'hang') {
      faultCounts.hangs += 1;
      return;
    }
    const rule = findRule(request)?.rule;
    let reply: FakeAnswer;
    try {
      reply = rule ? ('respond' in rule ? rule.respond(request) : rule) : fallback(request);
    } catch (error) {
      sendError(res, 500, `Fake LLM answerer threw: ${String(error)}`, 'server_error');
      return;
    }
    if ('hang' in reply) return;
    const delay = latency + (rule?.delayMs ?? 0);
    if (delay <= 0) {
      writeReply(res, id, request, reply);
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!res.destroyed) writeReply(res, id, request, reply);
    }, delay);
    timers.add(timer);
  }

  function writeReply(res: ServerResponse, id: string, request: FakeLlmRequest, reply: FakeAnswer): void {
    if ('hang' in reply) return;
    if ('status' in reply) {
      if (reply.body === undefined)
        sendError(res, reply.status, `Fake LLM error ${reply.status}`, 'server_error');
      else sendJson(res, reply.status, reply.body);
      return;
    }
    if ('malformed' in reply) {
      sendMalformed(res, request.stream);
      return;
    }
    const content = 'json' in reply ? JSON.stringify(reply.json) : reply.content;
    const context = {
      id,
      model: request.model ?? model,
      promptChars: request.messages.reduce((sum, message) => sum + message.content.length, 0),
      includeUsage: Boolean(
        (request.stream_options as { include_usage?: unknown } | undefined)?.include_usage,
      ),
    };
    const usage = usageOf(context, content);
    served.completions += 1;
    served.prompt_tokens += usage.prompt_tokens;
    served.completion_tokens += usage.completion_tokens;
    if (request.stream && streamInterval > 0) streamSlowly(res, completionStreamEvents(context, content));
    else if (request.stream) sendCompletionStream(res, context, content);
    else sendCompletion(res, context, content);
  }

  /** The first event at once (the latency has passed), then one every `streamInterval` ms. */
  function streamSlowly(res: ServerResponse, events: string[]): void {
    startEventStream(res);
    let next = 0;
    const write = () => {
      if (res.destroyed) return;
      const event = events[next++];
      if (event === undefined) {
        res.end();
        return;
      }
      // The role event and the first content event go together: the first token comes with the latency.
      res.write(next === 1 && events.length > 1 ? event + (events[next++] as string) : event);
      const timer = setTimeout(() => {
        timers.delete(timer);
        write();
      }, streamInterval);
      timers.add(timer);
    };
    write();
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/v1/models' && req.method === 'GET') {
      return sendJson(res, 200, {
        object: 'list',
        data: [{ id: model, object: 'model', created: 0, owned_by: 'fake-llm' }],
      });
    }
    if (path === '/v1/_served' && req.method === 'GET') return sendJson(res, 200, served);
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
    setStreamInterval(ms) {
      streamInterval = Math.max(0, ms);
    },
    refuseFormats(types) {
      refused = new Set(types);
    },
    setFaults(next) {
      faults = next;
    },
    faultCounts,
    served,
    reset() {
      requests.length = 0;
      rules = [];
      latency = initialLatency;
      streamInterval = initialStreamInterval;
      fallback = initialDefault;
      refused = new Set(initialRefused);
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
