/**
 * `npm run bench:on-cpu`: where each server's CPU goes while the bench measures it, on the CPU only.
 * V8's profiler (`npm run bench -- --profile`) samples wall time, so a process waiting in a system call
 * shows as time in that call, and its per-function view cannot say which package a native builtin
 * (JSON, string copies) worked for. This runs one bench (`run-bench.ts --runs=1`, PostgreSQL) under
 * Linux `perf record` with every node process writing a JIT dump (`--perf-prof`), so samples name the
 * JavaScript function on the stack, and attributes each sample to the garbage collector when it is on
 * the stack (its pauses too, not the function whose allocation set one off), else to the innermost
 * JavaScript frame above it (a JSON.stringify to the function that called it, a writev to Node's stream
 * code), or to the compilers, the event loop or the kernel when no JavaScript is on the stack. Only
 * samples of a server's process inside a measured stretch count (run-bench's BENCH_WINDOWS); the shares
 * are turned into µs per message with that stretch's own CPU per message.
 *
 *   DATABASE_URL=postgres://… npm run bench:on-cpu -- [--scenario=c32] [--schema-floor] [--groups=10] [--top=8] [--own] [--callers=NAME] [--interleave [--variant=FLAGS]]
 *
 * `--interleave[=N]`: the bench's mode of that name (the servers side by side in alternating rounds).
 * `--groups`: how many of the groups with the largest excess over the floor to list by function,
 * `--top` functions each. `--own`: charge each sample to the innermost function of the server's (or the
 * floor's) own code on its stack, so what a library or Node does for it (encoding, copying, hashing,
 * collecting) is counted against the call of ours that asked for it. `--callers=NAME`: for the samples
 * charged to a group or a function whose name contains NAME, the JavaScript call chains that led to it.
 *
 * Needs `perf` (Debian: linux-perf) and permission to record every CPU (root, or
 * kernel.perf_event_paranoid ≤ -1). One server process (no WEB_CONCURRENCY). The recording slows every
 * process a little: compare the servers with each other, not with `npm run bench`'s figures.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { SERVER_DIR } from './processes.js';
import { groupOf } from './sample-groups.js';

const option = (name: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
const SCENARIO = option('scenario') ?? 'c32';
const TOP = Number(option('top') ?? 8);
const DETAIL = Number(option('groups') ?? 10);
const SCHEMA_FLOOR = process.argv.includes('--schema-floor');
const CHARGE_TO_OWN_CODE = process.argv.includes('--own');
const CALLERS = option('callers');
// `--interleave[=N]`: run-bench's mode of that name, the servers side by side in alternating rounds
// (each round a window of its own).
const INTERLEAVE = process.argv.find((arg) => arg === '--interleave' || arg.startsWith('--interleave='));
// `--variant=FLAG[,FLAG…]` (with --interleave): run-bench's second product with those node flags, a column of its own.
const VARIANT = process.argv.find((arg) => arg.startsWith('--variant='));

interface Window {
  kind: string;
  scenario: string;
  pid: number;
  messages: number;
  cpu: number;
  started_ns: string;
  ended_ns: string;
}

/**
 * perf with its build-id cache in the run's own directory: `perf inject --jit` writes an object file
 * per JIT-compiled function and caches every one (~150,000 files, 2 GB a run) in ~/.debug by default.
 * (`--buildid-dir`: perf does not read PERF_BUILDID_DIR for this.)
 */
const perf = (dir: string, args: string[]) => ['--buildid-dir', path.join(dir, 'buildid'), ...args];

function record(dir: string, windows: string) {
  const data = path.join(dir, 'perf.data');
  const bench = [
    process.execPath,
    '--import',
    'tsx',
    'bench/run-bench.ts',
    '--runs=1',
    '--no-webhooks',
    `--scenarios=${SCENARIO}`,
    ...(SCHEMA_FLOOR ? ['--schema-floor'] : []),
    ...(INTERLEAVE ? [INTERLEAVE] : []),
    ...(VARIANT ? [VARIANT] : []),
  ];
  const recorded = spawnSync(
    'perf',
    perf(dir, ['record', '-k', '1', '-a', '-g', '-F', '499', '-N', '-o', data, '--', ...bench]),
    {
      cwd: SERVER_DIR,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: {
        ...process.env,
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --perf-prof`.trim(),
        BENCH_WINDOWS: windows,
      },
    },
  );
  if (recorded.status !== 0) throw new Error(`perf record (the bench) exited with ${recorded.status}`);
  const injected = path.join(dir, 'perf.jit.data');
  const inject = spawnSync('perf', perf(dir, ['inject', '--jit', '-i', data, '-o', injected]), {
    stdio: 'inherit',
  });
  if (inject.status !== 0) throw new Error('perf inject --jit failed');
  return injected;
}

async function attribute(dir: string, data: string, windows: Window[]) {
  const byPid = new Map<number, Window[]>();
  for (const w of windows) byPid.set(w.pid, [...(byPid.get(w.pid) ?? []), w]);
  const groups = new Map<string, Map<string, number>>();
  const functions = new Map<string, Map<string, number>>();
  const samples = new Map<string, number>();
  const callers = new Map<string, Map<string, number>>();
  const add = (map: Map<string, Map<string, number>>, kind: string, key: string) => {
    let counts = map.get(kind);
    if (!counts) {
      counts = new Map();
      map.set(kind, counts);
    }
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  const script = spawn('perf', perf(dir, ['script', '-i', data, '-F', 'pid,time,ip,sym']), {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let kind: string | undefined;
  let frames: string[] = [];
  const flush = () => {
    if (kind) {
      const { group, fn } = groupOf(frames, CHARGE_TO_OWN_CODE);
      add(groups, kind, group);
      add(functions, kind, `${group}\t${fn}`);
      samples.set(kind, (samples.get(kind) ?? 0) + 1);
      if (CALLERS && (group.includes(CALLERS) || fn.includes(CALLERS))) add(callers, kind, callChain(frames));
    }
    kind = undefined;
    frames = [];
  };
  for await (const line of createInterface({ input: script.stdout })) {
    if (line.startsWith('\t')) {
      if (kind) frames.push(line.trim());
      continue;
    }
    flush();
    const header = line.match(/^\s*(\d+)\s+(\d+)\.(\d+):/);
    if (!header) continue;
    const at = BigInt(header[2] as string) * 1_000_000_000n + BigInt((header[3] as string).padEnd(9, '0'));
    const window = byPid
      .get(Number(header[1]))
      ?.find((w) => at >= BigInt(w.started_ns) && at < BigInt(w.ended_ns));
    if (window) kind = window.kind;
  }
  flush();
  return { groups, functions, samples, callers };
}

type ServerTotal = Pick<Window, 'kind' | 'cpu' | 'messages'>;

/** Each server's measured windows (several with `--interleave`) added up: its CPU and its messages. */
function totalsByServer(windows: Window[]): ServerTotal[] {
  const totals = new Map<string, ServerTotal>();
  for (const { kind, cpu, messages } of windows) {
    const total = totals.get(kind) ?? { kind, cpu: 0, messages: 0 };
    totals.set(kind, { kind, cpu: total.cpu + cpu, messages: total.messages + messages });
  }
  return [...totals.values()];
}

function print(windows: ServerTotal[], attributed: Awaited<ReturnType<typeof attribute>>) {
  const kinds = windows.map((w) => w.kind);
  const perMessage = new Map(windows.map((w) => [w.kind, (w.cpu * 1e6) / Math.max(1, w.messages)]));
  const us = (kind: string, counts: Map<string, number> | undefined, key: string) =>
    ((counts?.get(key) ?? 0) / Math.max(1, attributed.samples.get(kind) ?? 0)) * (perMessage.get(kind) ?? 0);
  const base = kinds.includes('schema') ? 'schema' : 'floor';
  console.log(
    `\nOn-CPU time per message, ${SCENARIO} (µs; samples: ${kinds.map((k) => `${k} ${attributed.samples.get(k) ?? 0}`).join(', ')})`,
  );
  console.log(`${'charged to'.padEnd(36)}${kinds.map((k) => k.padStart(10)).join('')}  product−${base}`);
  const names = new Set([...attributed.groups.values()].flatMap((counts) => [...counts.keys()]));
  const rows = [...names]
    .map((name) => ({
      name,
      values: kinds.map((k) => us(k, attributed.groups.get(k), name)),
      extra:
        us('product', attributed.groups.get('product'), name) - us(base, attributed.groups.get(base), name),
    }))
    .sort((a, b) => b.extra - a.extra);
  for (const row of rows.filter((r) => r.values.some((v) => v >= 1))) {
    console.log(
      `${row.name.slice(0, 35).padEnd(36)}${row.values.map((v) => v.toFixed(1).padStart(10)).join('')}  ${row.extra.toFixed(1).padStart(8)}`,
    );
  }
  console.log(
    `${'total'.padEnd(36)}${kinds.map((k) => (perMessage.get(k) ?? 0).toFixed(1).padStart(10)).join('')}`,
  );
  // Inside the groups the product spends most beyond the floor: their functions, both servers.
  const own = attributed.functions.get('product');
  const theirs = attributed.functions.get(base);
  console.log(
    `\nIn the ${DETAIL} groups with the largest excess: functions (µs per message, product / ${base})`,
  );
  for (const row of rows.slice(0, DETAIL)) {
    console.log(row.name);
    const keys = new Set(
      [...(own?.keys() ?? []), ...(theirs?.keys() ?? [])].filter((key) => key.startsWith(`${row.name}\t`)),
    );
    const listed = [...keys]
      .map((key) => ({ key, product: us('product', own, key), base: us(base, theirs, key) }))
      .sort((a, b) => b.product - a.product)
      .slice(0, TOP);
    for (const fn of listed.filter((f) => f.product >= 0.5 || f.base >= 0.5)) {
      const name = (fn.key.split('\t')[1] as string).replace(
        /file:\/\/|\S*\/(?=node_modules|server\/dist)/g,
        '',
      );
      console.log(`  ${fn.product.toFixed(1).padStart(6)} ${fn.base.toFixed(1).padStart(6)}  ${name}`);
    }
  }
}

/** The JavaScript functions on a sample's stack, innermost first, each once, as `a ← b ← c`. */
function callChain(frames: string[]): string {
  const names: string[] = [];
  for (const frame of frames) {
    const js = frame.match(/JS:[*~^]?(.*)$/);
    if (!js) continue;
    const words = (js[1] as string).trim().split(/\s+/);
    const where = (words.pop() ?? '').replace(/^.*\//, '').replace(/:\d+$/, '');
    const name = `${words.join(' ') || '(anonymous)'} ${where}`;
    if (names.at(-1) !== name) names.push(name);
    if (names.length === 6) break;
  }
  return names.join(' ← ');
}

function printCallers(windows: ServerTotal[], attributed: Awaited<ReturnType<typeof attribute>>) {
  for (const { kind, cpu, messages } of windows) {
    const chains = attributed.callers.get(kind);
    if (!chains) {
      console.log(`\nWho calls ${CALLERS}, ${kind}: no sample was charged to it`);
      continue;
    }
    const perSample = (cpu * 1e6) / Math.max(1, messages) / Math.max(1, attributed.samples.get(kind) ?? 0);
    console.log(`\nWho calls ${CALLERS}, ${kind} (µs per message, innermost first)`);
    for (const [chain, count] of [...chains].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
      console.log(`  ${(count * perSample).toFixed(1).padStart(6)}  ${chain}`);
    }
  }
}

/**
 * What the run's node processes wrote in their working directories: the JIT dumps, the objects perf
 * made of them, and V8's code logs (`--perf-prof` logs code too). Only files from this run.
 */
function removeJitFiles(since: number) {
  for (const dir of [SERVER_DIR, path.join(SERVER_DIR, '..')]) {
    for (const name of readdirSync(dir)) {
      if (!/^jit-\d+\.dump$|^jitted-\d+-\d+\.so$|^isolate-0x[0-9a-f]+-\d+-v8\.log$/.test(name)) continue;
      const file = path.join(dir, name);
      if (statSync(file).mtimeMs >= since) rmSync(file, { force: true });
    }
  }
}

async function main() {
  if (spawnSync('perf', ['--version']).status !== 0) {
    console.error('bench:on-cpu needs Linux perf (Debian: apt-get install linux-perf).');
    process.exit(2);
  }
  if (!process.env.DATABASE_URL) {
    console.error('bench:on-cpu measures against the floors, which run on PostgreSQL: set DATABASE_URL.');
    process.exit(2);
  }
  const started = Date.now();
  const dir = mkdtempSync(path.join(tmpdir(), 'icmp-on-cpu-'));
  const windowsFile = path.join(dir, 'windows.jsonl');
  try {
    const data = record(dir, windowsFile);
    const windows = readFileSync(windowsFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Window)
      .filter((w) => w.scenario === SCENARIO);
    const attributed = await attribute(dir, data, windows);
    const servers = totalsByServer(windows);
    print(servers, attributed);
    if (CALLERS) printCallers(servers, attributed);
  } finally {
    removeJitFiles(started);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
