/**
 * `npm run bench:phases`: where a message's time goes, phase by phase, from the product's own
 * OpenTelemetry spans. The server runs with tracing on (OTLP/HTTP JSON) toward a collector in this
 * process (test/helpers/fake-otlp-collector.ts), answers `--messages` messages one at a time (c=1,
 * LLM 0 ms by default) after a warm-up, and the table gives, per phase, when it starts after the request
 * span and how long it lasts (medians over the messages). SQL spans are named by their first keyword
 * only, so they are numbered in start order within each message.
 *
 * Tracing costs time of its own (a span per statement, call and step), so read the phases against each
 * other, not against `npm run bench`'s latencies. PostgreSQL when DATABASE_URL is set, else PGlite.
 *
 *   npm run bench:phases -- [--messages=300] [--latency=0]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateSecret } from '../src/lib/keys.js';
import { type ReceivedSpan, startFakeCollector } from '../test/helpers/fake-otlp-collector.js';
import { openConversations, setUpBusiness } from './bench-business.js';
import { percentile, runLoad } from './load.js';
import { benchServerEnv, freePort, startFakeLlm, startProcess, stopProcess } from './processes.js';
import { commonSend } from './scenarios.js';

const option = (name: string, fallback: number) =>
  Number(process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const MESSAGES = option('messages', 300);
const LATENCY = option('latency', 0);
const WARM_UP = 500;

const REQUEST_SPAN = 'POST /api/message';

/** The spans of each message's trace, labelled: SQL spans numbered in start order. */
function phasesOf(spans: ReceivedSpan[]) {
  const traces = new Map<string, ReceivedSpan[]>();
  for (const span of spans) {
    const list = traces.get(span.traceId) ?? [];
    list.push(span);
    traces.set(span.traceId, list);
  }
  const phases = new Map<string, { offsets: number[]; durations: number[] }>();
  const ms = (ns: bigint) => Number(ns) / 1e6;
  let messages = 0;
  for (const trace of traces.values()) {
    const root = trace.find((span) => span.name === REQUEST_SPAN && !span.parentSpanId);
    if (!root) continue;
    messages++;
    const byName = new Map<string, number>();
    const names = new Map(trace.map((span) => [span.spanId, span.name]));
    for (const span of [...trace].sort((a, b) => Number(a.startNs - b.startNs))) {
      // An LLM call is named by its step; SQL by its first keyword, numbered in start order.
      const name = span.name === 'llm call' ? `llm call (${names.get(span.parentSpanId) ?? '?'})` : span.name;
      const sql = span.attributes['db.system'] === 'postgresql';
      const seen = (byName.get(name) ?? 0) + 1;
      byName.set(name, seen);
      const label = sql ? `SQL ${name} #${seen}` : seen > 1 ? `${name} #${seen}` : name;
      const phase = phases.get(label) ?? { offsets: [], durations: [] };
      phase.offsets.push(ms(span.startNs - root.startNs));
      phase.durations.push(ms(span.endNs - span.startNs));
      phases.set(label, phase);
    }
  }
  const median = (values: number[]) =>
    percentile(
      [...values].sort((a, b) => a - b),
      50,
    );
  const rows = [...phases].map(([label, phase]) => ({
    label,
    count: phase.durations.length,
    offset: median(phase.offsets),
    duration: median(phase.durations),
  }));
  return { messages, rows: rows.sort((a, b) => a.offset - b.offset || b.duration - a.duration) };
}

/** Waits until the collector has received no span for a while (the server exports once a second). */
async function settled(spans: ReceivedSpan[]) {
  let count = -1;
  while (count !== spans.length) {
    count = spans.length;
    await new Promise((resolve) => setTimeout(resolve, 2500));
  }
}

async function main() {
  const masterKey = generateSecret('icmp_admin');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'icmp-phases-'));
  const collector = await startFakeCollector();
  const { child: llm, url: llmUrl } = await startFakeLlm(LATENCY);
  const port = await freePort();
  const server = await startProcess(
    'src/main.ts',
    [],
    {
      ...benchServerEnv({ port, dataDir, masterKey, llmUrl, databaseUrl: process.env.DATABASE_URL }),
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    },
    /ICMP is running/,
  );
  try {
    const base = `http://127.0.0.1:${port}`;
    const business = await setUpBusiness(base, masterKey);
    const users = await openConversations(base, business.api_key, 64);
    const target = { base, apiKey: business.api_key, masterKey, users };
    await runLoad({ concurrency: 8, total: WARM_UP, send: commonSend(target, true) });
    await settled(collector.spans);
    collector.spans.length = 0;
    const load = await runLoad({ concurrency: 1, total: MESSAGES, send: commonSend(target, true) });
    await settled(collector.spans);
    const { messages, rows } = phasesOf(collector.spans);
    console.log(
      `ICMP turn phases — ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}, c=1, LLM ${LATENCY} ms, ` +
        `${messages} traced messages (client p50 ${load.p50.toFixed(2)} ms, tracing on)\n`,
    );
    console.log(
      `${'phase'.padEnd(36)}${'in traces'.padStart(10)}${'starts at'.padStart(12)}${'lasts'.padStart(10)}`,
    );
    for (const row of rows) {
      console.log(
        `${row.label.padEnd(36)}${String(row.count).padStart(10)}${`${row.offset.toFixed(2)} ms`.padStart(12)}` +
          `${`${row.duration.toFixed(2)} ms`.padStart(10)}`,
      );
    }
    if (load.errors) console.log(`\nerrors: ${load.errors}`, load.errorSamples);
  } finally {
    await stopProcess(server);
    await stopProcess(llm);
    await collector.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
