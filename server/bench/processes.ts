import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const SERVER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * The servers a bench measures run as `npm start` runs the product: tsc's JavaScript on plain node, not
 * through tsx's loader. The floor is built the same way, so both sides of every ratio run alike.
 */
const BUILT_ENTRIES: Record<string, string> = {
  'src/main.ts': 'dist/main.js',
  // Built with the server's directory as their root: the floor renders the product's default templates.
  'bench/floor-server.ts': 'bench/dist/bench/floor-server.js',
  './bench/alloc-sampler.ts': './bench/dist/bench/alloc-sampler.js',
  './bench/promise-counter.ts': './bench/dist/bench/promise-counter.js',
};

/**
 * The node flags of server/package.json's `start` script (the young generation's size: see
 * ARCHITECTURE's twenty-eighth pass), so that the product runs here as `npm start` runs it.
 */
function productStartFlags(): string[] {
  const { scripts } = JSON.parse(readFileSync(path.join(SERVER_DIR, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const [node, ...words] = scripts.start.split(/\s+/);
  if (node !== 'node') throw new Error(`server's start script does not start node: ${scripts.start}`);
  return words.filter((word) => word.startsWith('--'));
}

let built: Promise<void> | undefined;

/** tsc over the product (tsconfig.build.json, what `npm start` runs) and the bench's servers, once per run. */
function buildMeasuredServers() {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const compile = (project: string) =>
    new Promise<void>((resolve, reject) =>
      execFile(process.execPath, [tsc, '-p', project], { cwd: SERVER_DIR }, (error, stdout) =>
        error ? reject(new Error(`tsc -p ${project} failed:\n${stdout}`)) : resolve(),
      ),
    );
  built ??= compile('tsconfig.build.json').then(() => compile('bench/tsconfig.build.json'));
  return built;
}

/**
 * Starts an entry point in its own process and resolves once `ready` matches its output: a measured
 * server from its build (BUILT_ENTRIES), anything else (the fake LLM) through tsx.
 */
export async function startProcess(
  entry: string,
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  nodeArgs: string[] = [],
) {
  const builtEntry = BUILT_ENTRIES[entry];
  if (builtEntry) await buildMeasuredServers();
  // One node process per server, so its CPU and memory can be read. A built server takes the built
  // copies of its nodeArgs' modules; on tsx, tsx goes first so a TypeScript `--import` in nodeArgs loads.
  const startFlags = entry === 'src/main.ts' ? productStartFlags() : [];
  const command = builtEntry
    ? [...startFlags, ...nodeArgs.map((arg) => BUILT_ENTRIES[arg] ?? arg), builtEntry]
    : ['--import', 'tsx', ...nodeArgs, entry];
  const child = spawn(process.execPath, [...command, ...args], {
    cwd: SERVER_DIR,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise<ChildProcess>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) resolve(child);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${entry} exited with ${code}:\n${output}`)));
  });
}

/** The project's fake OpenAI-compatible server in its own process, and the base URL to give the server. */
export async function startFakeLlm(latencyMs: number, streamIntervalMs?: number) {
  const port = await freePort();
  const child = await startProcess(
    'test/helpers/fake-llm-cli.ts',
    [
      '--port',
      String(port),
      '--latency',
      String(latencyMs),
      ...(streamIntervalMs === undefined ? [] : ['--stream-interval', String(streamIntervalMs)]),
    ],
    {},
    /http:\/\//,
  );
  return { child, url: `http://127.0.0.1:${port}/v1` };
}

export async function stopProcess(child: ChildProcess) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

const TICKS_PER_SECOND = 100;

/** A process and its children (the workers of WEB_CONCURRENCY>1), from /proc (Linux). */
function withChildren(pid: number): number[] {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return [pid, ...children.split(/\s+/).filter(Boolean).map(Number)];
}

/** User + system CPU seconds a process (and its workers) has used, from /proc (Linux). */
export function cpuSeconds(pid: number, children = true): number {
  let total = 0;
  for (const one of children ? withChildren(pid) : [pid]) {
    const fields = readFileSync(`/proc/${one}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    total += (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  }
  return total;
}

/** SQL statements the product has sent since it started (`icmp_db_statements_total`; reading it runs none). */
export async function statementsServed(base: string, masterKey: string): Promise<number> {
  const response = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${masterKey}` } });
  return Number((await response.text()).match(/^icmp_db_statements_total (\d+)/m)?.[1] ?? Number.NaN);
}

/** Peak resident memory of a process plus its workers' (each one's peak, summed). */
export function peakRssMiB(pid: number): number {
  let total = 0;
  for (const one of withChildren(pid)) {
    const match = readFileSync(`/proc/${one}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/);
    total += match ? Number(match[1]) / 1024 : 0;
  }
  return total;
}

/** The environment every bench starts the product server with: quiet logs, no rate limit, the fake LLM. */
export function benchServerEnv(options: {
  port: number;
  dataDir: string;
  masterKey: string;
  llmUrl: string;
  databaseUrl?: string | undefined;
}): Record<string, string> {
  return {
    PORT: String(options.port),
    HOST: '127.0.0.1',
    NODE_ENV: 'development',
    DATA_DIR: options.dataDir,
    ICMP_API_KEY: options.masterKey,
    OPENAI_BASE_URL: options.llmUrl,
    OPENAI_API_KEY: 'bench',
    LLM_MODEL: 'bench-model',
    LLM_TIMEOUT_MS: '10000',
    RATE_LIMIT_PER_MINUTE: '10000000',
    LOG_LEVEL: 'warn',
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
  };
}

/** Creates the PostgreSQL database `databaseUrl` names when it does not exist. */
export async function ensureDatabase(databaseUrl: string) {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}
