import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/build-test-app.js';
import { startFakeLlmServer } from '../helpers/fake-llm-server.js';
import type { FakeLlm } from '../helpers/fake-llm-types.js';
import { type FakeCollector, type ReceivedSpan, startFakeCollector } from '../helpers/fake-otlp-collector.js';
import { waitFor } from '../helpers/meta-app.js';
import { scriptedModel } from '../helpers/pipeline-fixture.js';
import {
  freePort,
  restartableServerEnv,
  type ServerProcess,
  startServerProcess,
} from '../helpers/server-process.js';

/**
 * OpenTelemetry tracing of a real server process (src/main.ts): with OTEL_EXPORTER_OTLP_ENDPOINT the
 * fake collector receives one message's trace — HTTP request → turn → steps → LLM calls, SQL spans
 * inside — and no span carries the customer's words or the reply; without it, no OpenTelemetry
 * module is even loaded (watched through a module resolution hook in the server process).
 */
const RECORDER = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../helpers/record-module-loads.mjs',
);
const SECRET_WORDS = 'my-private-words-7f3a';
const REPLY = 'the-model-reply-91c2';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

let llm: FakeLlm;
let collector: FakeCollector;
const cleanups: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  llm = await startFakeLlmServer({ defaultAnswer: scriptedModel({ respond: () => REPLY }) });
  collector = await startFakeCollector();
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await collector?.close();
  await llm?.close();
});

interface Started {
  server: ServerProcess;
  admin: string;
  moduleLog: () => string;
}

/** A server process with the module recorder (started by the file's beforeAll). */
async function start(extra: Record<string, string>): Promise<Started> {
  const temp = makeTempDir('icmp-modules-');
  cleanups.push(temp.remove);
  const moduleLog = path.join(temp.dir, 'modules.log');
  writeFileSync(moduleLog, '');
  const restartable = restartableServerEnv(llm.url, {
    ICMP_MODULE_LOG: moduleLog,
    ICMP_MODULE_LOG_MATCH: '/@opentelemetry/',
    ...extra,
  });
  cleanups.push(restartable.remove);
  const server = await startServerProcess(restartable.env, await freePort(), ['--import', RECORDER]);
  cleanups.push(() => server.stop());
  return {
    server,
    admin: restartable.env.ICMP_API_KEY as string,
    moduleLog: () => readFileSync(moduleLog, 'utf8'),
  };
}

/** A new business and one customer message through the real HTTP server. */
async function oneMessage({ server, admin }: Started, headers: Record<string, string> = {}) {
  const call = async (url: string, key: string, body: unknown, more: Record<string, string> = {}) => {
    const response = await fetch(`${server.baseUrl}${url}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...more },
      body: JSON.stringify(body),
    });
    expect(response.status, await response.clone().text()).toBeLessThan(300);
    return (await response.json()) as Record<string, unknown>;
  };
  const business = await call('/api/businesses', admin, {
    business_name: `Traced ${randomUUID().slice(0, 8)}`,
    business_description: 'x',
  });
  const answer = await call('/api/message', business.api_key as string, { content: SECRET_WORDS }, headers);
  expect(answer.response).toBe(REPLY);
}

let plain: Started;
let traced: Started;

// Both processes start at once: a server start (PGlite migrations) can take a minute on a busy machine.
beforeAll(async () => {
  [plain, traced] = await Promise.all([
    start({}),
    start({
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'icmp-test',
    }),
  ]);
}, 600_000);

describe('without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('loads no OpenTelemetry module', async () => {
    await oneMessage(plain);
    await plain.server.stop();
    expect(plain.moduleLog()).toBe('');
  });
});

describe('with OTEL_EXPORTER_OTLP_ENDPOINT (http/json)', () => {
  let spans: ReceivedSpan[];
  let loaded: string;

  beforeAll(async () => {
    // The caller's trace: the request joins it.
    await oneMessage(traced, { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` });
    loaded = traced.moduleLog();
    await waitFor(async () => collector.spans.some((s) => s.name === 'POST /api/message'), 60_000);
    // Stopping flushes what the batch still holds.
    await traced.server.stop();
    spans = collector.spans.filter((s) => s.traceId === TRACE_ID);
  }, 240_000);

  it('loads the OpenTelemetry SDK (the recorder sees it)', () => {
    expect(loaded).toMatch(/@opentelemetry\/sdk-trace-base/);
    expect(collector.contentTypes.every((type) => type.startsWith('application/json'))).toBe(true);
  });

  it('sends the message as one trace: request → turn → steps → LLM calls, with SQL inside', () => {
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const parentOf = (span: ReceivedSpan | undefined) => (span ? byId.get(span.parentSpanId) : undefined);
    const request = spans.find((s) => s.name === 'POST /api/message');
    expect(request, JSON.stringify(spans.map((s) => s.name))).toBeDefined();
    expect(request?.kind).toBe(2);
    expect(request?.serviceName).toBe('icmp-test');
    expect(request?.attributes).toMatchObject({
      'http.route': '/api/message',
      'http.response.status_code': 200,
    });
    expect(request?.parentSpanId).toBe('00f067aa0ba902b7');

    const turn = spans.find((s) => s.name === 'turn');
    expect(parentOf(turn)).toBe(request);
    expect(turn?.attributes).toMatchObject({ 'icmp.outcome': 'llm', 'icmp.channel': 'api' });
    expect(typeof turn?.attributes['icmp.conversation_id']).toBe('string');

    const steps = spans.filter((s) => s.name.startsWith('step '));
    expect(steps.map((s) => s.name).sort()).toEqual(['step data_extraction', 'step response_generation']);
    for (const step of steps) {
      expect(parentOf(step)).toBe(turn);
      const calls = spans.filter((s) => s.name === 'llm call' && s.parentSpanId === step.spanId);
      expect(calls).toHaveLength(1);
      expect(calls[0]?.attributes).toMatchObject({
        'gen_ai.system': 'openai',
        'gen_ai.request.model': 'fake-model',
        'icmp.llm.outcome': 'ok',
      });
      expect(calls[0]?.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    }

    const sql = spans.filter((s) => s.attributes['db.system'] === 'postgresql');
    // The message insert under the request, the turn's persist under the turn.
    expect(sql.some((s) => s.parentSpanId === request?.spanId)).toBe(true);
    expect(sql.some((s) => s.parentSpanId === turn?.spanId)).toBe(true);
    for (const span of sql) expect(span.kind).toBe(3);
  });

  it('times spans below the millisecond: no span starts before its parent', () => {
    // The SDK's own start times are whole milliseconds (Date.now()), while its end times come from the
    // monotonic clock: a 0.3 ms statement could seem to start before its turn did.
    expect(spans.some((s) => s.startNs % 1_000_000n !== 0n)).toBe(true);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    for (const span of spans) {
      expect(span.endNs).toBeGreaterThanOrEqual(span.startNs);
      const parent = byId.get(span.parentSpanId);
      if (parent)
        expect(span.startNs, `${span.name} in ${parent.name}`).toBeGreaterThanOrEqual(parent.startNs);
    }
  });

  it('never exports the customer’s words or the reply', () => {
    expect(collector.bodies.length).toBeGreaterThan(0);
    for (const body of collector.bodies) {
      expect(body).not.toContain(SECRET_WORDS);
      expect(body).not.toContain(REPLY);
    }
  });
});
