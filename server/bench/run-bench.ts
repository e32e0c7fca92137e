/**
 * `npm run bench`: the message pipeline under load, end to end over real HTTP, against its bare I/O
 * floor (floor-server.ts) measured in the same run, on the same database and fake LLM; every figure is
 * also printed as product/floor, the yardstick (absolute numbers swing with the machine's load).
 * The server runs in its own process (on PostgreSQL when DATABASE_URL is set, else PGlite in a temp
 * dir, then without a floor) against the project's fake OpenAI-compatible server in a third process;
 * this process is the load generator. All share this machine's cores, so read the figures as a lower
 * bound. Scenarios: scenarios.ts.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateSecret } from '../src/lib/keys.js';
import { openConversations, setUpBusiness } from './bench-business.js';
import { percentile, runLoad } from './load.js';
import { mergeRounds, round } from './merge-rounds.js';
import { pgUsage, pgUsagePerMessage, vacuumDatabase } from './pg-usage.js';
import {
  benchServerEnv,
  cpuSeconds,
  freePort,
  peakRssMiB,
  startFakeLlm,
  startProcess,
  statementsServed,
  stopProcess,
} from './processes.js';
import { roundOrder } from './round-order.js';
import { commonSend, SCENARIOS, type Scenario, type Target } from './scenarios.js';
import { printTargets, printVariant, readTargets, readVariant, unequalCalls } from './targets.js';
import { benchWebhooks } from './webhook-bench.js';

const args = new Set(process.argv.slice(2));
const DATABASE_URL = process.env.DATABASE_URL;
const QUICK = args.has('--quick');
// `--profile`: the server writes a V8 CPU profile to bench/results/ when it stops.
const PROFILE = args.has('--profile');
// `--alloc-profile`: each server writes a sampling heap profile of what it allocated (alloc-sampler.ts);
// `--alloc-profile=survivors`: of what it allocated that outlived a scavenge (the old generation's intake).
const allocArg = process.argv.find((arg) => arg === '--alloc-profile' || arg.startsWith('--alloc-profile='));
const ALLOC_PROFILE = allocArg !== undefined;
if (allocArg?.includes('=')) process.env.ALLOC_PROFILE = allocArg.split('=')[1];
// `--promise-count`: each server counts the promises it makes, per HTTP request (promise-counter.ts).
const PROMISE_COUNT = args.has('--promise-count');
// `--scenarios=c1,c32` runs only those scenarios (ids in scenarios.ts).
const ONLY = new Set(
  process.argv
    .find((arg) => arg.startsWith('--scenarios='))
    ?.split('=')[1]
    ?.split(',') ?? [],
);
// `--latency=300` runs one LLM latency only.
const onlyLatency = process.argv.find((arg) => arg.startsWith('--latency='))?.split('=')[1];
const LATENCIES = onlyLatency
  ? [Number(onlyLatency)]
  : QUICK
    ? [0]
    : [...new Set(SCENARIOS.filter((s) => !ONLY.size || ONLY.has(s.id)).map((s) => s.llmLatencyMs))];
// `--runs=3`: the whole floor-then-product sequence that many times; figures are medians (default 3, quick 1).
const RUNS = Number(process.argv.find((arg) => arg.startsWith('--runs='))?.split('=')[1] ?? (QUICK ? 1 : 3));
// `--warm-up=4000`: messages each server process answers before its scenarios are measured. V8 is
// still compiling the product's hot paths for its first ~2,500 messages (server CPU per message
// 1.5–1.6× the settled figure there), the floor's few functions in far fewer, so a short warm-up measured
// the product half cold. The warm-up is measured too, as its own row: that cost is not hidden.
// (--quick sends a third of every scenario's count, this one's too.)
const WARM_UP = Number(process.argv.find((arg) => arg.startsWith('--warm-up='))?.split('=')[1] ?? 4000);
/** A scenario's message count as this run sends it: a third with --quick. */
const messageCount = (total: number) => (QUICK ? Math.ceil(total / 3) : total);
// `--webhooks-only` runs only the WhatsApp webhook figures; `--no-webhooks` skips them.
const WEBHOOKS_ONLY = args.has('--webhooks-only');
const WEBHOOKS = !args.has('--no-webhooks');
// The turn-schedule rows (300 ms model, c=1: round trips per kind of turn, time to first token) run
// after the rest unless `--no-turns`, `--quick`, `--webhooks-only` or `--scenarios=` narrows the run.
const TURNS = !args.has('--no-turns') && !QUICK && !WEBHOOKS_ONLY && !ONLY.size;
// `--processes=1,2`: the message figures once per server process count (WEB_CONCURRENCY), on
// PostgreSQL, with the ratio of each to the first; default: WEB_CONCURRENCY or 1.
// `--schema-floor` (PostgreSQL): also the floor on the product's own tables, after the product, and
// product/that floor: what the product's code costs above its schema.
const SCHEMA_FLOOR = args.has('--schema-floor');
// `--interleave[=N]` (PostgreSQL): the servers a ratio compares run side by side, each warmed up, and each
// scenario the floors share without a model latency is measured in N short rounds that alternate
// between them (`roundOrder`; by default twice as many rounds as servers, which balances the order),
// instead of one long stretch per server one after another. This machine's speed drifts over minutes; a
// drift then falls on every server alike instead of on whichever ran in it.
const interleaveArg = process.argv.find((arg) => arg === '--interleave' || arg.startsWith('--interleave='));
const INTERLEAVE = interleaveArg !== undefined;
const interleaveRounds = interleaveArg?.split('=')[1];
const INTERLEAVE_ROUNDS = interleaveRounds === undefined ? undefined : Number(interleaveRounds);
// `--variant=FLAG[,FLAG…]` (with --interleave): a second product, started with these node flags after its
// start script's, takes its turn in the same rounds, and every figure is also read as variant/product.
// Two settings compared within one set: sets measured minutes apart differ by more than a small change.
const VARIANT_FLAGS =
  process.argv
    .find((arg) => arg.startsWith('--variant='))
    ?.slice('--variant='.length)
    .split(',')
    .filter(Boolean) ?? [];
const PROCESSES = (
  process.argv.find((arg) => arg.startsWith('--processes='))?.split('=')[1] ??
  process.env.WEB_CONCURRENCY ??
  '1'
)
  .split(',')
  .map(Number);

async function main() {
  const masterKey = generateSecret('icmp_admin');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'icmp-bench-'));
  const databaseUrl = process.env.DATABASE_URL;
  if (PROCESSES.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--processes takes counts: 1,2');
  if (PROCESSES.some((n) => n > 1) && !databaseUrl) {
    throw new Error('--processes above 1 needs DATABASE_URL (PostgreSQL): PGlite serves one process');
  }
  if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error('--runs takes a count: 3');
  if (!Number.isInteger(WARM_UP) || WARM_UP < 1) throw new Error('--warm-up takes a count: 4000');
  if (INTERLEAVE_ROUNDS !== undefined && !(Number.isInteger(INTERLEAVE_ROUNDS) && INTERLEAVE_ROUNDS >= 2))
    throw new Error('--interleave takes a number of rounds of at least 2: --interleave=6');
  if (INTERLEAVE && !databaseUrl)
    throw new Error('--interleave compares with the floors: it needs DATABASE_URL');
  if (VARIANT_FLAGS.length && !INTERLEAVE)
    throw new Error('--variant runs in the rounds of --interleave: add --interleave');
  if (VARIANT_FLAGS.some((flag) => !flag.startsWith('--')))
    throw new Error(
      '--variant takes node flags, comma-separated: --variant=--no-allocation-site-pretenuring',
    );
  console.log(
    `ICMP benchmark — database: ${databaseUrl ? 'PostgreSQL' : 'PGlite (no floor: it needs PostgreSQL)'}` +
      `${QUICK ? ' (quick)' : ''}, server processes: ${PROCESSES.join(', ')}, runs: ${RUNS}` +
      `, warm-up: ${messageCount(WARM_UP)} messages per process` +
      (INTERLEAVE
        ? `, interleaved in ${INTERLEAVE_ROUNDS ? `${INTERLEAVE_ROUNDS} rounds` : 'rounds, two per server'}`
        : '') +
      (VARIANT_FLAGS.length ? `, with a variant of the product: ${VARIANT_FLAGS.join(' ')}` : '') +
      (databaseUrl
        ? `, bus: ${process.env.REDIS_URL ? 'Redis' : 'PostgreSQL LISTEN/NOTIFY (no REDIS_URL)'}`
        : ''),
  );
  const report: Record<string, unknown>[] = [];
  try {
    const runs: Row[][] = [];
    for (let run = 1; run <= (WEBHOOKS_ONLY ? 0 : RUNS); run++) {
      const rows: Row[] = [];
      for (const processes of PROCESSES) {
        for (const llmLatency of LATENCIES) {
          rows.push(await benchAtLatency(llmLatency, masterKey, dataDir, databaseUrl, processes, run));
        }
      }
      runs.push(rows);
    }
    if (runs.length) {
      const medians = (runs[0] as Row[]).map((_, i) => medianOf(runs.map((rows) => rows[i] as Row)) as Row);
      printTable(medians);
      report.push(...medians);
      if (PROCESSES.length > 1) report.push(processRatios(medians));
      const bare = readTargets(runs, 'product_vs_floor');
      const schema = readTargets(runs, 'product_vs_schema_floor');
      const tables = readTargets(runs, 'schema_floor_vs_floor');
      const unequal = [
        ...unequalCalls(runs, 'product_vs_floor'),
        ...unequalCalls(runs, 'product_vs_schema_floor').map(
          (line) => `${line} (floor on the product's tables)`,
        ),
      ];
      printTargets(bare, schema, tables, runs.length, unequal);
      const variant = readVariant(runs);
      printVariant(variant, VARIANT_FLAGS, runs.length);
      if (bare.length && TURNS)
        console.log('(the 300 ms rows and time to first token: the turn-schedule table below)');
      if (bare.length || schema.length)
        report.push({
          issue_14_targets: {
            bare_floor: bare,
            ...(schema.length ? { schema_floor: schema, schema_floor_vs_bare_floor: tables } : {}),
            ...(unequal.length ? { unequal_calls: unequal } : {}),
          },
        });
      if (variant.length) report.push({ variant: { node_flags: VARIANT_FLAGS, against_product: variant } });
    }
    if (WEBHOOKS)
      report.push(
        await benchWebhooks({ masterKey, dataDir, databaseUrl, quick: QUICK, nodeArgs: profileArgs() }),
      );
    if (TURNS) await runTurnScheduleBench();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log('\nSummary (JSON):');
  console.log(JSON.stringify(report, null, 2));
}

/** `bench:turns` (round-trips.ts) in its own process, same database, its table printed as it goes. */
async function runTurnScheduleBench() {
  console.log('\n== turn schedule: LLM 300 ms, c=1 (npm run bench:turns) ==');
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/round-trips.ts', `--runs=${RUNS}`], {
    stdio: 'inherit',
    env: process.env,
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`the turn-schedule bench exited with ${code}`);
}

const profileArgs = () => [
  ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve('bench/results')}`] : []),
  ...(ALLOC_PROFILE ? ['--import', './bench/alloc-sampler.ts'] : []),
  ...(PROMISE_COUNT ? ['--import', './bench/promise-counter.ts'] : []),
];

/**
 * The JIT, pools and caches warmed up in every process (each worker warms up on its own), measured as a
 * scenario of its own: what a server costs before it has settled. Its concurrency keeps it short with a
 * slow model too (256 customers waiting on a 300 ms model answer ~400 a second).
 */
function warmUpScenario(llmLatencyMs: number, processes: number): Scenario {
  return {
    id: 'warmup',
    title: `warm-up, LLM ${llmLatencyMs} ms`,
    llmLatencyMs,
    concurrency: llmLatencyMs > 0 ? 256 : 32,
    total: WARM_UP * processes,
    floor: true,
  };
}

/** One scenario's figures on one server; `sql_per_message` only for the product. */
interface Figures {
  messages: number;
  errors: number;
  throughput_per_s: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  server_cpu_ms_per_message: number;
  /** CPU of the PostgreSQL backends serving the bench's database (PostgreSQL only). */
  db_cpu_ms_per_message?: number;
  /** PostgreSQL transactions and rows read per message (pg_stat_database, the whole bench database). */
  pg_transactions_per_message?: number;
  pg_rows_read_per_message?: number;
  /** WAL written per message, KiB (pg_stat_wal: the whole cluster, so only the bench should be writing). */
  pg_wal_kb_per_message?: number;
  /** WAL flushes per message (pg_stat_wal.wal_sync, the whole cluster): what synchronous commits wait for. */
  pg_wal_syncs_per_message?: number;
  /** WEB_CONCURRENCY > 1: the cluster primary's own CPU (it serves no request). */
  primary_cpu_ms_per_message?: number;
  llm_calls_per_message: number;
  prompt_tokens_per_message: number;
  completion_tokens_per_message: number;
  sql_per_message?: number;
  [extra: string]: number | undefined;
}
type Row = {
  processes: number;
  llm_latency_ms: number;
  floor?: Record<string, Figures>;
  product_vs_floor?: Record<string, Record<string, number>>;
  /** `--schema-floor`: the floor's statements on the product's tables (floor-product-schema.ts). */
  schema_floor?: Record<string, Figures>;
  product_vs_schema_floor?: Record<string, Record<string, number>>;
  /** The floor's code on the product's tables against the bare floor: what the tables cost alone. */
  schema_floor_vs_floor?: Record<string, Record<string, number>>;
  peak_rss_mib?: number;
  /** `--variant`: the product with those node flags, measured in the same rounds, and variant/product. */
  variant?: Record<string, Figures>;
  variant_vs_product?: Record<string, Record<string, number>>;
  variant_peak_rss_mib?: number;
} & Record<string, unknown>;

/** The floor (PostgreSQL only), then the product, against one fake LLM of this latency. */
async function benchAtLatency(
  llmLatency: number,
  masterKey: string,
  dataDir: string,
  databaseUrl: string | undefined,
  processes: number,
  run: number,
): Promise<Row> {
  const scenarios = SCENARIOS.filter((s) => s.llmLatencyMs === llmLatency && (!ONLY.size || ONLY.has(s.id)));
  const { child: llm, url: llmUrl } = await startFakeLlm(llmLatency);
  const row: Row = { processes, llm_latency_ms: llmLatency };
  if (databaseUrl) await vacuumDatabase(databaseUrl);
  console.log(
    `\n== run ${run}: ${processes} server process${processes > 1 ? 'es' : ''}, fake LLM latency ${llmLatency} ms ==`,
  );
  try {
    const floorScenarios = databaseUrl ? scenarios.filter((s) => s.floor) : [];
    const startFloor = (schema: 'bare' | 'product') =>
      startFloorServer(schema, llmUrl, databaseUrl as string, masterKey, llmLatency);
    const startProduct = (variantFlags: string[] = []) =>
      startProductServer(llmUrl, masterKey, dataDir, databaseUrl, processes, llmLatency, variantFlags);
    if (INTERLEAVE && floorScenarios.length) {
      Object.assign(row, await measureInterleaved(startFloor, startProduct, scenarios, llmUrl));
    } else {
      const measured = async (server: Server, which: Scenario[]) => {
        try {
          return await measure(server, llmUrl, which);
        } finally {
          await server.stop();
        }
      };
      if (floorScenarios.length) row.floor = await measured(await startFloor('bare'), floorScenarios);
      const product = await startProduct();
      try {
        Object.assign(row, await measure(product, llmUrl, scenarios), { peak_rss_mib: product.peakRss() });
      } finally {
        await product.stop();
      }
      // After the product: its tables exist only once the product's migrations have run.
      if (floorScenarios.length && SCHEMA_FLOOR)
        row.schema_floor = await measured(await startFloor('product'), floorScenarios);
    }
    if (row.floor) row.product_vs_floor = ratios(row, row.floor);
    if (row.schema_floor) row.product_vs_schema_floor = ratios(row, row.schema_floor);
    if (row.schema_floor && row.floor) row.schema_floor_vs_floor = ratios(row.schema_floor, row.floor);
  } finally {
    await stopProcess(llm);
  }
  return row;
}

/** A measured server, started and ready for load: what `measure` needs to load it and read its cost. */
interface Server {
  kind: 'floor' | 'schema' | 'product' | 'variant';
  pid: number;
  /** Its node processes (WEB_CONCURRENCY): the floors run one. */
  processes: number;
  target: Target;
  /** The product's SQL statements served so far (its /metrics). */
  statements?: () => Promise<number>;
  peakRss(): number;
  stop(): Promise<void>;
}

/** The floor server on the bare tables, or on the product's (`--schema-floor`), with its customers. */
async function startFloorServer(
  schema: 'bare' | 'product',
  llmUrl: string,
  databaseUrl: string,
  masterKey: string,
  llmLatency: number,
): Promise<Server> {
  const port = await freePort();
  const floor = await startProcess(
    'bench/floor-server.ts',
    ['--port', String(port), '--database', databaseUrl, '--llm', llmUrl, '--schema', schema],
    {},
    /floor listening/,
    profileArgs(),
  );
  const pid = floor.pid as number;
  try {
    const base = `http://127.0.0.1:${port}`;
    const users = await openConversations(base, '', llmLatency > 0 ? 512 : 64);
    return {
      kind: schema === 'bare' ? 'floor' : 'schema',
      pid,
      processes: 1,
      target: { base, apiKey: '', businessId: '', masterKey, users },
      peakRss: () => Number(peakRssMiB(pid).toFixed(1)),
      stop: () => stopProcess(floor),
    };
  } catch (error) {
    await stopProcess(floor);
    throw error;
  }
}

/**
 * The product as `npm start` runs it, with the bench's business and its customers; with `variantFlags`,
 * the `--variant` product: those node flags after the start script's.
 */
async function startProductServer(
  llmUrl: string,
  masterKey: string,
  dataDir: string,
  databaseUrl: string | undefined,
  processes: number,
  llmLatency: number,
  variantFlags: string[],
): Promise<Server> {
  const serverPort = await freePort();
  const server = await startProcess(
    'src/main.ts',
    [],
    {
      ...benchServerEnv({ port: serverPort, dataDir, masterKey, llmUrl, databaseUrl }),
      DB_POOL_SIZE: '20',
      WEB_CONCURRENCY: String(processes),
    },
    /ICMP is running/,
    [...variantFlags, ...profileArgs()],
  );
  const base = `http://127.0.0.1:${serverPort}`;
  const pid = server.pid as number;
  try {
    const business = await setUpBusiness(base, masterKey);
    // More conversations than workers: messages of one conversation are processed one at a time by
    // design, so fewer conversations than concurrent clients would measure that queue, not the server.
    const users = await openConversations(base, business.api_key, llmLatency > 0 ? 512 : 64);
    const kind = variantFlags.length ? 'variant' : 'product';
    return {
      kind,
      pid,
      processes,
      target: { base, apiKey: business.api_key, businessId: business.business_id, masterKey, users },
      statements: () => statementsServed(base, masterKey),
      peakRss: () => {
        const peak = Number(peakRssMiB(pid).toFixed(1));
        console.log(`${kind} peak RSS: ${peak} MiB`);
        return peak;
      },
      stop: () => stopProcess(server),
    };
  } catch (error) {
    await stopProcess(server);
    throw error;
  }
}

/**
 * `--interleave`: the product and the floors up at once, each warmed up alone, then every scenario the
 * floors share in rounds of a share of its length (`--interleave=N`, or two per server), after one
 * unmeasured round, the servers taking turns in `roundOrder`; the rounds' figures are merged
 * (`mergeRounds`). Then the product's own scenarios.
 */
async function measureInterleaved(
  startFloor: (schema: 'bare' | 'product') => Promise<Server>,
  startProduct: (variantFlags?: string[]) => Promise<Server>,
  scenarios: Scenario[],
  llmUrl: string,
) {
  const servers: Server[] = [];
  try {
    servers.push(await startFloor('bare'));
    const product = await startProduct();
    servers.push(product);
    const variant = VARIANT_FLAGS.length ? await startProduct(VARIANT_FLAGS) : undefined;
    if (variant) servers.push(variant);
    // After the product: its tables exist only once the product's migrations have run.
    if (SCHEMA_FLOOR) servers.push(await startFloor('product'));
    const first = scenarios[0] as Scenario;
    const byServer = new Map<Server, Record<string, Figures>>(servers.map((server) => [server, {}]));
    for (const server of servers) {
      const warmUp = warmUpScenario(first.llmLatencyMs, server.processes);
      Object.assign(byServer.get(server) as object, {
        warmup: await measureScenario(server, llmUrl, warmUp),
      });
    }
    for (const scenario of scenarios.filter((s) => s.floor)) {
      const rounds = new Map<Server, Figures[]>(servers.map((server) => [server, []]));
      // With a model latency (c=256 at 300 ms) a turn lasts about a second under load: a short round
      // would be mostly ramp-up and the drain of its last turns, which weighs on the slower server's
      // throughput. Such a scenario keeps one stretch per server.
      const count = scenario.llmLatencyMs > 0 ? 1 : (INTERLEAVE_ROUNDS ?? 2 * servers.length);
      const slice: Scenario = {
        ...scenario,
        ...(scenario.total !== undefined ? { total: Math.ceil(scenario.total / count) } : {}),
        ...(scenario.seconds !== undefined ? { seconds: scenario.seconds / count } : {}),
      };
      // One round first, not measured. A server has idled since its warm-up while the others warmed up
      // (tens of seconds, against a few between rounds): past pg's 10 s idle timeout its pool has closed
      // its connections, and reopening them cost the first server of round 0 up to half its throughput.
      const settle = {
        ...slice,
        ...(slice.seconds !== undefined ? { seconds: Math.min(2, slice.seconds) } : {}),
      };
      for (const server of servers) await runLoad({ ...loadSize(settle), send: sendOf(server, settle) });
      for (let round = 0; round < count; round++) {
        for (const server of roundOrder(servers, round)) {
          rounds.get(server)?.push(await measureScenario(server, llmUrl, slice));
        }
      }
      for (const server of servers) {
        const merged = mergeRounds(rounds.get(server) as Figures[]);
        (byServer.get(server) as Record<string, Figures>)[scenario.id] = merged;
      }
    }
    for (const scenario of scenarios.filter((s) => !s.floor)) {
      (byServer.get(product) as Record<string, Figures>)[scenario.id] = await measureScenario(
        product,
        llmUrl,
        scenario,
      );
    }
    const of = (kind: Server['kind']) => {
      const server = servers.find((s) => s.kind === kind);
      return server ? byServer.get(server) : undefined;
    };
    const variantFigures = of('variant');
    return {
      ...of('product'),
      peak_rss_mib: product.peakRss(),
      floor: of('floor'),
      ...(SCHEMA_FLOOR ? { schema_floor: of('schema') } : {}),
      ...(variant && variantFigures
        ? {
            variant: variantFigures,
            variant_vs_product: ratios(variantFigures, of('product') as Record<string, Figures>),
            variant_peak_rss_mib: variant.peakRss(),
          }
        : {}),
    };
  } finally {
    for (const server of servers) await server.stop();
  }
}

/**
 * With BENCH_WINDOWS set (bench/on-cpu.ts sets it), each measured stretch is appended to that file as
 * a JSON line: which server, its pid, when the load ran on the monotonic clock `perf record -k 1` also
 * uses, and its messages and CPU seconds, so that samples can be attributed to it.
 */
function recordWindow(window: {
  kind: string;
  scenario: string;
  pid: number;
  started: bigint;
  ended: bigint;
  messages: number;
  cpu: number;
}) {
  const file = process.env.BENCH_WINDOWS;
  if (!file) return;
  const { started, ended, ...rest } = window;
  appendFileSync(
    file,
    `${JSON.stringify({ ...rest, started_ns: String(started), ended_ns: String(ended) })}\n`,
  );
}

/** Warms the server up, then runs each scenario and reads its CPU, SQL and LLM cost per message. */
async function measure(
  server: Server,
  llmUrl: string,
  scenarios: Scenario[],
): Promise<Record<string, Figures>> {
  const out: Record<string, Figures> = {};
  const [first] = scenarios;
  if (!first) return out; // e.g. --latency=300 with --scenarios= of 0 ms ones: nothing to warm up for
  for (const scenario of [warmUpScenario(first.llmLatencyMs, server.processes), ...scenarios]) {
    out[scenario.id] = await measureScenario(server, llmUrl, scenario);
  }
  return out;
}

const isProduct = (kind: Server['kind']) => kind === 'product' || kind === 'variant';

/** The message a scenario sends this server (the product's with its API key). */
const sendOf = ({ kind, target }: Pick<Server, 'kind' | 'target'>, scenario: Scenario) =>
  (scenario.send ?? commonSend)(target, isProduct(kind));

/** A scenario's concurrency and length, as runLoad takes them. */
const loadSize = (scenario: Scenario) => ({
  concurrency: scenario.concurrency,
  ...(scenario.total !== undefined ? { total: messageCount(scenario.total) } : {}),
  ...(scenario.seconds !== undefined ? { seconds: QUICK ? scenario.seconds / 2 : scenario.seconds } : {}),
});

/** One scenario's load on one server, and what it cost per message. */
async function measureScenario(
  { kind, pid, processes, target, statements }: Server,
  llmUrl: string,
  scenario: Scenario,
): Promise<Figures> {
  const served = async () =>
    (await (await fetch(`${llmUrl}/_served`)).json()) as {
      completions: number;
      prompt_tokens: number;
      completion_tokens: number;
    };
  const prepared =
    isProduct(kind) && scenario.prepare
      ? await scenario.prepare(target)
      : { send: sendOf({ kind, target }, scenario) };
  const dbBefore = DATABASE_URL ? await pgUsage(DATABASE_URL) : undefined;
  const cpuBefore = cpuSeconds(pid);
  const primaryBefore = cpuSeconds(pid, false);
  const sqlBefore = statements ? await statements() : 0;
  const llmBefore = await served();
  const started = process.hrtime.bigint();
  const load = await runLoad({ ...loadSize(scenario), send: prepared.send });
  const ended = process.hrtime.bigint();
  const cpu = cpuSeconds(pid) - cpuBefore;
  const primaryCpu = cpuSeconds(pid, false) - primaryBefore;
  recordWindow({ kind, scenario: scenario.id, pid, started, ended, messages: load.requests, cpu });
  const db =
    dbBefore && DATABASE_URL
      ? pgUsagePerMessage(dbBefore, await pgUsage(DATABASE_URL), Math.max(1, load.requests))
      : undefined;
  const dbCpu = db?.pg_backend_cpu_ms_per_message ?? undefined;
  const sql = statements ? (await statements()) - sqlBefore : undefined; // /metrics itself runs no SQL
  const llmAfter = await served();
  const n = Math.max(1, load.requests);
  const figures: Figures = {
    ...pick(load),
    server_cpu_ms_per_message: round((cpu * 1000) / n),
    // With several processes: the cluster primary's share (it serves no request itself).
    ...(processes > 1 ? { primary_cpu_ms_per_message: round((primaryCpu * 1000) / n) } : {}),
    ...(dbCpu !== undefined ? { db_cpu_ms_per_message: dbCpu } : {}),
    ...(db
      ? {
          pg_transactions_per_message: db.pg_transactions_per_message,
          pg_rows_read_per_message: db.pg_rows_read_per_message,
          ...(db.pg_wal_kb_per_message !== null ? { pg_wal_kb_per_message: db.pg_wal_kb_per_message } : {}),
          ...(db.pg_wal_syncs_per_message !== null
            ? { pg_wal_syncs_per_message: db.pg_wal_syncs_per_message }
            : {}),
        }
      : {}),
    llm_calls_per_message: round((llmAfter.completions - llmBefore.completions) / n),
    prompt_tokens_per_message: round((llmAfter.prompt_tokens - llmBefore.prompt_tokens) / n),
    completion_tokens_per_message: round((llmAfter.completion_tokens - llmBefore.completion_tokens) / n),
    ...(sql !== undefined ? { sql_per_message: round(sql / n) } : {}),
    ...(prepared.extra?.() ?? {}),
  };
  console.log(
    `${kind.padEnd(7)} ${scenario.title.padEnd(20)} p50 ${ms(load.p50)}  p95 ${ms(load.p95)}  ` +
      `${load.throughput.toFixed(0)} msg/s  CPU ${figures.server_cpu_ms_per_message} ms/msg  ` +
      (processes > 1 ? `(primary ${figures.primary_cpu_ms_per_message})  ` : '') +
      (db
        ? `DB CPU ${dbCpu ?? 'n/a'} ms/msg, ${db.pg_transactions_per_message} xacts, ` +
          `${db.pg_rows_read_per_message} rows read/msg, ${db.pg_wal_kb_per_message ?? 'n/a'} KiB WAL/msg, ` +
          `${db.pg_wal_syncs_per_message ?? 'n/a'} WAL syncs/msg  `
        : '') +
      `LLM ${figures.llm_calls_per_message} calls, ${figures.prompt_tokens_per_message}+` +
      `${figures.completion_tokens_per_message} tokens/msg` +
      (sql !== undefined ? `  SQL ${figures.sql_per_message}/msg` : '') +
      (load.errors ? `  errors ${load.errors}` : ''),
  );
  if (load.errorSamples.length) console.log('  error samples:', load.errorSamples);
  return figures;
}

const RATIO_FIGURES = [
  'p50_ms',
  'p95_ms',
  'throughput_per_s',
  'server_cpu_ms_per_message',
  'db_cpu_ms_per_message',
  'pg_wal_kb_per_message',
  'pg_wal_syncs_per_message',
  'llm_calls_per_message',
  'prompt_tokens_per_message',
] as const;

/** mine/floor (product/floor, mostly) for every figure both measured, from the same run. */
function ratios(measured: Record<string, unknown>, floor: Record<string, Figures>) {
  const out: Record<string, Record<string, number>> = {};
  for (const [id, theirs] of Object.entries(floor)) {
    const mine = measured[id] as Figures | undefined;
    if (!mine) continue;
    out[id] = Object.fromEntries(
      RATIO_FIGURES.filter((f) => (theirs[f] ?? 0) > 0 && mine[f] !== undefined).map((f) => [
        f,
        round((mine[f] as number) / (theirs[f] as number)),
      ]),
    );
  }
  return out;
}

/** The median of every number across runs (rows of the same shape); ratios are medians of per-run ratios. */
function medianOf(values: unknown[]): unknown {
  const first = values[0];
  if (typeof first === 'number') {
    const sorted = (values as number[]).filter(Number.isFinite).sort((a, b) => a - b);
    return sorted.length ? round(percentile(sorted, 50)) : first;
  }
  if (first && typeof first === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first))
      out[key] = medianOf(values.map((value) => (value as Record<string, unknown>)[key]));
    return out;
  }
  return first;
}

/** The issue-14 table: each scenario's product figures, each floor's, and product/floor. */
function printTable(rows: Row[]) {
  console.log(`\n== Product vs floor (medians of ${RUNS} run${RUNS > 1 ? 's' : ''}; ratios per run) ==`);
  console.log(
    'scenario              server   p50 ms   p95 ms    msg/s  CPU ms/msg  DB CPU ms/msg  WAL KiB/msg  LLM calls/msg  tokens in+out/msg  SQL/msg',
  );
  for (const row of rows) {
    for (const scenario of [warmUpScenario(row.llm_latency_ms, row.processes), ...SCENARIOS]) {
      const product = row[scenario.id] as Figures | undefined;
      if (!product) continue;
      const label = `${scenario.title}${PROCESSES.length > 1 ? ` ×${row.processes}p` : ''}`;
      const line = (who: string, f: Figures, sql: string) =>
        console.log(
          `${label.padEnd(22)}${who.padEnd(7)}${num(f.p50_ms, 9)}${num(f.p95_ms, 9)}${num(f.throughput_per_s, 9)}` +
            `${num(f.server_cpu_ms_per_message, 12)}${num(f.db_cpu_ms_per_message, 15)}` +
            `${num(f.pg_wal_kb_per_message, 13)}${num(f.llm_calls_per_message, 15)}` +
            `${`${f.prompt_tokens_per_message}+${f.completion_tokens_per_message}`.padStart(19)}${sql.padStart(9)}`,
        );
      line('product', product, String(product.sql_per_message ?? ''));
      const ratioLine = (who: string, ratio: Record<string, number>) =>
        console.log(
          `${label.padEnd(22)}${who.padEnd(7)}${num(ratio.p50_ms, 9, 'x')}${num(ratio.p95_ms, 9, 'x')}` +
            `${num(ratio.throughput_per_s, 9, 'x')}${num(ratio.server_cpu_ms_per_message, 12, 'x')}` +
            `${num(ratio.db_cpu_ms_per_message, 15, 'x')}${num(ratio.pg_wal_kb_per_message, 13, 'x')}` +
            `${num(ratio.llm_calls_per_message, 15, 'x')}${num(ratio.prompt_tokens_per_message, 19, 'x')}`,
        );
      const floor = row.floor?.[scenario.id];
      const ratio = row.product_vs_floor?.[scenario.id];
      if (floor && ratio) {
        line('floor', floor, '4');
        ratioLine('ratio', ratio);
      }
      const schemaFloor = row.schema_floor?.[scenario.id];
      const schemaRatio = row.product_vs_schema_floor?.[scenario.id];
      if (schemaFloor && schemaRatio) {
        line('schema', schemaFloor, '4');
        ratioLine('ratio', schemaRatio);
        const tables = row.schema_floor_vs_floor?.[scenario.id];
        if (tables) ratioLine('s/f', tables);
      }
      const variant = row.variant?.[scenario.id];
      const variantRatio = row.variant_vs_product?.[scenario.id];
      if (variant && variantRatio) {
        line('variant', variant, String(variant.sql_per_message ?? ''));
        ratioLine('v/p', variantRatio);
      }
    }
  }
}

const num = (value: number | undefined, width: number, suffix = '') =>
  (value === undefined ? '–' : `${value.toFixed(2)}${suffix}`).padStart(width);

/**
 * Throughput of each process count relative to the first (`--processes=1,2` → 2 vs 1): at
 * concurrency 32 per LLM latency, and at 256 where measured (LLM latency above 0).
 */
function processRatios(report: Record<string, unknown>[]) {
  type Row = {
    processes?: number;
    llm_latency_ms?: number;
    c32?: { throughput_per_s: number };
    c256?: { throughput_per_s: number };
  };
  const rows = report as Row[];
  const base = PROCESSES[0];
  const ratios: Record<string, number> = {};
  for (const row of rows) {
    if (row.processes === undefined || row.processes === base) continue;
    const first = rows.find((r) => r.processes === base && r.llm_latency_ms === row.llm_latency_ms);
    for (const level of ['c32', 'c256'] as const) {
      const mine = row[level]?.throughput_per_s;
      const theirs = first?.[level]?.throughput_per_s;
      if (mine && theirs) {
        const ratio = Number((mine / theirs).toFixed(2));
        ratios[`${row.processes}_vs_${base}_${level}_llm_${row.llm_latency_ms}ms`] = ratio;
        console.log(
          `${row.processes} vs ${base} processes, ${level}, LLM ${row.llm_latency_ms} ms: ${theirs} → ${mine} msg/s (×${ratio})`,
        );
      }
    }
  }
  return { throughput_ratio: ratios };
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const pick = (r: Awaited<ReturnType<typeof runLoad>>) => ({
  messages: r.requests,
  errors: r.errors,
  throughput_per_s: Number(r.throughput.toFixed(1)),
  p50_ms: Number(r.p50.toFixed(2)),
  p95_ms: Number(r.p95.toFixed(2)),
  p99_ms: Number(r.p99.toFixed(2)),
});

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
