// The fault runs of issue 12's campaign. Each starts its own stack, puts load on it, injects its fault
// in the middle, waits for the turns to finish and checks what was accepted against what was stored
// and answered.
import { randomBytes } from 'node:crypto';
import {
  checkMessages,
  createCustomers,
  formatFigures,
  isClean,
  startMessageLoad,
  waitUntilAnswered,
} from './message-load.js';
import { type Stack, type StackOptions, startStack } from './stack.js';

export interface RunSettings {
  databaseUrl: string;
  redisUrl: string;
  /** Load duration of a fault run. */
  seconds: number;
  /** Soak duration. */
  minutes: number;
  customers: number;
}

export interface ScenarioResult {
  name: string;
  ok: boolean;
  report: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const LLM_FAULTS = { errorRate: 0.2, hangRate: 0.05 };

/** Load for `seconds`, `fault` once a third of it passed, then wait for the answers and check. */
async function faultRun(
  name: string,
  settings: RunSettings,
  stackOptions: Partial<StackOptions>,
  fault: (stack: Stack) => Promise<string>,
): Promise<ScenarioResult> {
  const stack = await startStack({
    databaseUrl: settings.databaseUrl,
    redisUrl: settings.redisUrl,
    ...stackOptions,
  });
  try {
    const runId = randomBytes(4).toString('hex');
    const customers = await createCustomers(stack.baseUrl, stack.apiKey, settings.customers);
    const load = startMessageLoad({
      baseUrl: () => stack.baseUrl,
      apiKey: stack.apiKey,
      customers,
      runId,
      // Stopped below: a third of the time before the fault, two thirds after it ended.
      seconds: settings.seconds * 20,
      thinkMs: 100,
    });
    await sleep((settings.seconds * 1000) / 3);
    const faultReport = await fault(stack);
    await sleep((settings.seconds * 2000) / 3);
    load.stop();
    await load.done;
    const pending = await waitUntilAnswered(stack.baseUrl, stack.masterKey, customers, 120_000);
    const check = await checkMessages(stack.baseUrl, stack.masterKey, customers, load, runId);
    const llm = `LLM faults injected: ${stack.llm.faultCounts.errors} errors, ${stack.llm.faultCounts.hangs} hangs`;
    const ok = isClean(check, load.figures) && load.figures.other5xx === 0;
    return {
      name,
      ok,
      report: formatFigures(
        name,
        load.figures,
        check,
        `${faultReport}; ${llm}; pending at the end ${pending}`,
      ),
    };
  } finally {
    await stack.close();
  }
}

/** (a) kill -9 of the server in the middle of the load, then a restart on the same database. */
export const killServer = (settings: RunSettings) =>
  faultRun('kill', settings, {}, async (stack) => {
    await stack.crash();
    const down = Date.now();
    await sleep(1000);
    await stack.restart();
    return `server killed (-9) and restarted, down ${Date.now() - down} ms`;
  });

/** (b) PostgreSQL unreachable for 4 s: the proxy drops every connection and refuses new ones. */
export const cutPostgres = (settings: RunSettings) =>
  faultRun('postgres', settings, {}, async (stack) => {
    stack.pgProxy.cut();
    await sleep(4000);
    stack.pgProxy.restore();
    return 'PostgreSQL cut for 4000 ms';
  });

/** (c) Redis unreachable for 5 s: rate limits and the bus fall back to this process, then reconnect. */
export const cutRedis = (settings: RunSettings) =>
  faultRun('redis', settings, {}, async (stack) => {
    stack.redisProxy.cut();
    await sleep(5000);
    stack.redisProxy.restore();
    return 'Redis cut for 5000 ms';
  });

/** (d) The LLM fails 20 % of its calls with 500 and leaves 5 % hanging, all along. */
export const llmFaults = (settings: RunSettings) =>
  faultRun('llm', settings, { faults: LLM_FAULTS }, async () => 'LLM faults on for the whole run');

interface Sample {
  second: number;
  rssMiB: number;
  heapMiB: number;
  loopP99Ms: number;
  accepted: number;
}

function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.split(' ').pop()) : Number.NaN;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** Memory flat when the last third's median is within `tolerance` of the first third's. */
export function flatVerdict(values: number[], tolerance: number, floor = 0) {
  const third = Math.max(1, Math.floor(values.length / 3));
  const first = median(values.slice(0, third));
  const last = median(values.slice(-third));
  const growth = first > 0 ? (last - first) / first : 0;
  return { first, last, growth, flat: last <= first * (1 + tolerance) || last - first <= floor };
}

/** Soak: steady load with LLM faults for `minutes`, sampling memory and event-loop delay every 10 s. */
export async function soak(settings: RunSettings): Promise<ScenarioResult> {
  const stack = await startStack({
    databaseUrl: settings.databaseUrl,
    redisUrl: settings.redisUrl,
    faults: LLM_FAULTS,
  });
  try {
    const runId = randomBytes(4).toString('hex');
    const customers = await createCustomers(stack.baseUrl, stack.apiKey, settings.customers);
    const seconds = settings.minutes * 60;
    const load = startMessageLoad({
      baseUrl: () => stack.baseUrl,
      apiKey: stack.apiKey,
      customers,
      runId,
      seconds,
      thinkMs: 200,
    });
    const samples: Sample[] = [];
    const started = Date.now();
    while (Date.now() - started < seconds * 1000) {
      await sleep(10_000);
      const response = await fetch(`${stack.baseUrl}/metrics`, {
        headers: { authorization: `Bearer ${stack.masterKey}` },
      });
      const text = await response.text();
      const sample = {
        second: Math.round((Date.now() - started) / 1000),
        rssMiB: metric(text, 'process_resident_memory_bytes') / 2 ** 20,
        heapMiB: metric(text, 'nodejs_heap_size_used_bytes') / 2 ** 20,
        loopP99Ms: metric(text, 'nodejs_eventloop_lag_p99_seconds') * 1000,
        accepted: load.figures.accepted,
      };
      samples.push(sample);
      console.log(
        `[soak] t=${sample.second}s rss ${sample.rssMiB.toFixed(1)} MiB, heap ${sample.heapMiB.toFixed(1)} MiB, ` +
          `event-loop p99 ${sample.loopP99Ms.toFixed(1)} ms, accepted ${sample.accepted}`,
      );
    }
    load.stop();
    await load.done;
    const pending = await waitUntilAnswered(stack.baseUrl, stack.masterKey, customers, 120_000);
    const check = await checkMessages(stack.baseUrl, stack.masterKey, customers, load, runId);
    // Flat: the last third's median within 20 % of the first third's (or 10 MiB / 20 ms, for tiny values).
    const rss = flatVerdict(
      samples.map((s) => s.rssMiB),
      0.2,
      10,
    );
    const heap = flatVerdict(
      samples.map((s) => s.heapMiB),
      0.2,
      10,
    );
    const loop = flatVerdict(
      samples.map((s) => s.loopP99Ms),
      0.2,
      20,
    );
    const verdict = (label: string, v: ReturnType<typeof flatVerdict>, unit: string) =>
      `${label} ${v.first.toFixed(1)} → ${v.last.toFixed(1)} ${unit} (${(v.growth * 100).toFixed(0)} %) ${v.flat ? 'flat' : 'GROWING'}`;
    const ok = isClean(check, load.figures) && rss.flat && heap.flat && loop.flat;
    return {
      name: 'soak',
      ok,
      report: [
        formatFigures(
          'soak',
          load.figures,
          check,
          `LLM faults injected: ${stack.llm.faultCounts.errors} errors, ${stack.llm.faultCounts.hangs} hangs; pending ${pending}`,
        ),
        `[soak] ${settings.minutes} min, ${samples.length} samples: ${verdict('rss', rss, 'MiB')}; ${verdict('heap', heap, 'MiB')}; ${verdict('event-loop p99', loop, 'ms')}`,
      ].join('\n'),
    };
  } finally {
    await stack.close();
  }
}

export const SCENARIOS: Record<string, (settings: RunSettings) => Promise<ScenarioResult>> = {
  kill: killServer,
  postgres: cutPostgres,
  redis: cutRedis,
  llm: llmFaults,
  soak,
};
