/**
 * `npm run bench`: the message pipeline under load, end to end over real HTTP.
 * The server runs in its own process (on PostgreSQL when DATABASE_URL is set, else PGlite in a temp
 * dir) against the project's fake OpenAI-compatible server in a third process; this process is the
 * load generator. All three share this machine's cores, so read the figures as a lower bound.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateSecret } from '../src/lib/keys.js';
import { runLoad } from './load.js';
import { pgUsage, pgUsagePerMessage } from './pg-usage.js';
import { cpuSecondsSplit, freePort, peakRssMiB, startProcess, stopProcess } from './processes.js';
import { benchWebhooks } from './webhook-bench.js';

const args = new Set(process.argv.slice(2));
const QUICK = args.has('--quick');
// `--profile`: the server writes a V8 CPU profile to bench/results/ when it stops.
const PROFILE = args.has('--profile');
// `--latency=300` runs one LLM latency only.
const onlyLatency = process.argv.find((arg) => arg.startsWith('--latency='))?.split('=')[1];
const LATENCIES = onlyLatency ? [Number(onlyLatency)] : QUICK ? [0] : [0, 300];
// `--webhooks-only` runs only the WhatsApp webhook figures; `--no-webhooks` skips them.
const WEBHOOKS_ONLY = args.has('--webhooks-only');
const WEBHOOKS = !args.has('--no-webhooks');
// `--processes=1,2`: the message figures once per server process count (WEB_CONCURRENCY), on
// PostgreSQL, with the ratio of each to the first; default: WEB_CONCURRENCY or 1.
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
  console.log(
    `ICMP benchmark — database: ${databaseUrl ? 'PostgreSQL' : 'PGlite'}${QUICK ? ' (quick)' : ''}` +
      `, server processes: ${PROCESSES.join(', ')}` +
      (databaseUrl
        ? `, bus: ${process.env.REDIS_URL ? 'Redis' : 'PostgreSQL LISTEN/NOTIFY (no REDIS_URL)'}`
        : ''),
  );
  const report: Record<string, unknown>[] = [];
  try {
    for (const processes of WEBHOOKS_ONLY ? [] : PROCESSES) {
      for (const llmLatency of LATENCIES) {
        report.push(await benchAtLatency(llmLatency, masterKey, dataDir, databaseUrl, processes));
      }
    }
    if (PROCESSES.length > 1) report.push(processRatios(report));
    if (WEBHOOKS)
      report.push(
        await benchWebhooks({ masterKey, dataDir, databaseUrl, quick: QUICK, nodeArgs: profileArgs() }),
      );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log('\nSummary (JSON):');
  console.log(JSON.stringify(report, null, 2));
}

const profileArgs = () => (PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve('bench/results')}`] : []);

async function benchAtLatency(
  llmLatency: number,
  masterKey: string,
  dataDir: string,
  databaseUrl: string | undefined,
  processes: number,
) {
  const llmPort = await freePort();
  const serverPort = await freePort();
  const llm = await startProcess(
    'test/helpers/fake-llm-cli.ts',
    ['--port', String(llmPort), '--latency', String(llmLatency)],
    {},
    /http:\/\//,
  );
  const server = await startProcess(
    'src/main.ts',
    [],
    {
      PORT: String(serverPort),
      HOST: '127.0.0.1',
      NODE_ENV: 'development',
      DATA_DIR: dataDir,
      ICMP_API_KEY: masterKey,
      OPENAI_BASE_URL: `http://127.0.0.1:${llmPort}/v1`,
      OPENAI_API_KEY: 'bench',
      LLM_MODEL: 'bench-model',
      LLM_TIMEOUT_MS: '10000',
      RATE_LIMIT_PER_MINUTE: '10000000',
      LOG_LEVEL: 'warn',
      DB_POOL_SIZE: '20',
      WEB_CONCURRENCY: String(processes),
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    },
    /ICMP is running/,
    profileArgs(),
  );
  const base = `http://127.0.0.1:${serverPort}`;
  const pid = server.pid as number;
  try {
    const business = await setUpBusiness(base, masterKey);
    // More conversations than workers: messages of one conversation are processed one at a time by
    // design, so fewer conversations than concurrent clients would measure that queue, not the server.
    const users = await openConversations(base, business.api_key, llmLatency > 0 ? 512 : 64);
    const headers = { authorization: `Bearer ${business.api_key}`, 'content-type': 'application/json' };
    const send = (_worker: number, n: number) =>
      fetch(`${base}/api/message`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          content: `Message ${n}: what are your opening hours?`,
          user_id: users[n % users.length],
        }),
      });
    const statements = async () => {
      const text = await (
        await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${masterKey}` } })
      ).text();
      return Number(text.match(/^icmp_db_statements_total (\d+)/m)?.[1] ?? Number.NaN);
    };

    const result: Record<string, unknown> = { processes, llm_latency_ms: llmLatency };
    console.log(
      `\n== ${processes} server process${processes > 1 ? 'es' : ''}, fake LLM latency ${llmLatency} ms ==`,
    );
    // Warm-up (JIT, pools, caches) in every process: each worker warms up on its own, and a short
    // warm-up left the c=32 window measuring the JIT of N processes instead of the steady state.
    await runLoad({ concurrency: 8, total: (QUICK ? 200 : 500) * processes, send });

    const sequential = await runLoad({ concurrency: 1, total: llmLatency ? 30 : 300, send });
    result.c1 = pick(sequential);
    console.log(
      `concurrency 1: p50 ${ms(sequential.p50)}  p95 ${ms(sequential.p95)}  p99 ${ms(sequential.p99)}  (${sequential.requests} messages)`,
    );

    const cpuBefore = cpuSecondsSplit(pid);
    const sqlBefore = await statements();
    const pgBefore = databaseUrl ? await pgUsage(databaseUrl) : null;
    const c32 = await runLoad({ concurrency: 32, seconds: QUICK ? 5 : 10, send });
    const cpuAfter = cpuSecondsSplit(pid);
    const pgAfter = databaseUrl ? await pgUsage(databaseUrl) : null;
    const sql = (await statements()) - sqlBefore; // /metrics itself runs no SQL
    const handled = c32.requests;
    const perMessage = (seconds: number) => Number(((seconds * 1000) / handled).toFixed(2));
    const cpu = cpuAfter.own + cpuAfter.workers - cpuBefore.own - cpuBefore.workers;
    const pgFigures = pgBefore && pgAfter ? pgUsagePerMessage(pgBefore, pgAfter, handled) : {};
    result.c32 = {
      ...pick(c32),
      server_cpu_ms_per_message: perMessage(cpu),
      // With several processes: the cluster primary's share (it serves no request itself).
      ...(processes > 1 ? { primary_cpu_ms_per_message: perMessage(cpuAfter.own - cpuBefore.own) } : {}),
      sql_per_message: Number((sql / handled).toFixed(2)),
      ...pgFigures,
    };
    console.log(
      `concurrency 32: ${c32.throughput.toFixed(0)} msg/s  p99 ${ms(c32.p99)}  errors ${c32.errors}  ` +
        `server CPU ${perMessage(cpu).toFixed(2)} ms/msg` +
        (processes > 1 ? ` (primary ${perMessage(cpuAfter.own - cpuBefore.own).toFixed(2)})` : '') +
        `  SQL ${(sql / handled).toFixed(1)} statements/msg`,
    );
    if (pgBefore && pgAfter) {
      const figures = pgUsagePerMessage(pgBefore, pgAfter, handled);
      console.log(
        `  PostgreSQL: ${figures.pg_transactions_per_message} transactions/msg, ` +
          `${figures.pg_rows_read_per_message} rows read/msg, ` +
          `backend CPU ${figures.pg_backend_cpu_ms_per_message ?? 'n/a'} ms/msg`,
      );
    }
    if (c32.errorSamples.length) console.log('  error samples:', c32.errorSamples);

    if (llmLatency > 0) {
      const c256 = await runLoad({ concurrency: 256, seconds: QUICK ? 5 : 10, send });
      result.c256 = pick(c256);
      console.log(
        `concurrency 256: ${c256.throughput.toFixed(0)} msg/s  p99 ${ms(c256.p99)}  errors ${c256.errors}`,
      );
      if (c256.errorSamples.length) console.log('  error samples:', c256.errorSamples);
    }
    result.peak_rss_mib = Number(peakRssMiB(pid).toFixed(1));
    console.log(`server peak RSS: ${result.peak_rss_mib} MiB`);
    return result;
  } finally {
    await stopProcess(server);
    await stopProcess(llm);
  }
}

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

async function setUpBusiness(base: string, masterKey: string) {
  const created = await fetch(`${base}/api/businesses`, {
    method: 'POST',
    headers: { authorization: `Bearer ${masterKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      business_name: `Bench ${Date.now()}`,
      business_description: 'A restaurant used for benchmarking',
    }),
  });
  if (created.status !== 201)
    throw new Error(`creating the business failed: ${created.status} ${await created.text()}`);
  const business = (await created.json()) as { business_id: string; api_key: string };
  // A second stage, so every turn runs stage selection (and keeps the current stage).
  const stage = await fetch(`${base}/api/stages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${business.api_key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      stage_name: 'Complaints',
      stage_description: 'Unhappy customers',
      stage_type: 'conversation',
    }),
  });
  if (stage.status !== 201) throw new Error(`creating a stage failed: ${stage.status} ${await stage.text()}`);
  return business;
}

async function openConversations(base: string, apiKey: string, count: number): Promise<string[]> {
  const users: string[] = [];
  const open = async () => {
    while (users.length < count) {
      users.push('');
      const slot = users.length - 1;
      const response = await fetch(`${base}/api/message`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ content: 'Hello!' }),
      });
      if (response.status !== 200)
        throw new Error(`opening a conversation failed: ${response.status} ${await response.text()}`);
      users[slot] = ((await response.json()) as { user_id: string }).user_id;
    }
  };
  await Promise.all(Array.from({ length: 32 }, open));
  return users;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
