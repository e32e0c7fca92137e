// Starts the real server (src/main.ts) as a child process, for crash tests: it can be killed with
// SIGKILL at any moment and started again on the same database.
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { generateSecret } from '../../src/lib/keys.js';
import { makeTempDir } from './build-test-app.js';
import type { Json } from './call-api.js';
import { startFakeLlmServer } from './fake-llm-server.js';
import type { FakeLlm, FakeLlmOptions } from './fake-llm-types.js';

const SERVER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Node's arguments for a server script (a path under src/): the run's transpiled copy when the
 * globalSetup made one (test/setup/prepared-server.ts), else the TypeScript source through tsx.
 */
function entryPoint(script: string): string[] {
  const build = inject('serverBuild');
  if (!build) return ['--import', 'tsx', script];
  return [path.join(build, path.relative('src', script)).replace(/\.ts$/, '.js')];
}

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

export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
  output(): string;
  /** kill -9: no shutdown hook runs. */
  crash(): Promise<void>;
  /** Resolves with the exit code (null when a signal ended it) once the process has exited. */
  exited(): Promise<number | null>;
  stop(): Promise<void>;
}

export async function startServerProcess(
  env: Record<string, string>,
  port: number,
  /** Node options before the entry point, e.g. another `--import`. */
  nodeArgs: string[] = [],
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...nodeArgs, ...entryPoint('src/main.ts')], {
    cwd: SERVER_DIR,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exitCode = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const exited = exitCode.then(() => undefined);
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/ICMP is running/.test(output)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  return {
    child,
    baseUrl: `http://127.0.0.1:${port}`,
    output: () => output,
    exited: () => exitCode,
    async crash() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 8000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Runs a server script (default src/main.ts) that is expected to stop by itself — a refused start, a
 * migration CLI — and returns its exit code and output.
 */
export function runToExit(
  env: Record<string, string>,
  script = 'src/main.ts',
  timeoutMs = 120_000,
): Promise<{ code: number | null; output: string }> {
  const { child, result } = spawnServerScript(env, script);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return result.finally(() => clearTimeout(timer));
}

/** Spawns a server script without waiting for anything; `result` resolves when it has exited. */
export function spawnServerScript(env: Record<string, string>, script = 'src/main.ts') {
  const child = spawn(process.execPath, entryPoint(script), {
    cwd: SERVER_DIR,
    env: { ...process.env, NODE_ENV: 'development', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const result = new Promise<{ code: number | null; output: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, output })),
  );
  return { child, result };
}

/**
 * The environment of a server process that is killed and restarted on the same data: a temporary
 * PGlite DATA_DIR, or on PostgreSQL the test file's own database (test/setup/own-postgres-database.ts);
 * no Redis; the fake LLM at `llmUrl` without retries. `remove` deletes the data directory.
 * On PGlite the DATA_DIR starts as a copy of the run's migrated database (the first start skips
 * initdb and the migrations); `{ migrated: false }` leaves it empty.
 */
export function restartableServerEnv(
  llmUrl: string,
  extra: Record<string, string>,
  { migrated = true }: { migrated?: boolean } = {},
) {
  const temp = makeTempDir('icmp-process-');
  const env: Record<string, string> = {
    DATA_DIR: temp.dir,
    DATABASE_URL: process.env.DATABASE_URL ?? '',
    REDIS_URL: '',
    ICMP_API_KEY: generateSecret('icmp_admin'),
    OPENAI_BASE_URL: llmUrl,
    OPENAI_API_KEY: 'sk-test',
    LLM_MODEL: 'fake-model',
    LLM_MAX_RETRIES: '0',
    RATE_LIMIT_PER_MINUTE: '100000',
    ...extra,
  };
  const template = inject('pgliteDir');
  if (migrated && template && !env.DATABASE_URL) {
    cpSync(template, path.join(temp.dir, 'pglite'), { recursive: true });
  }
  return { env, remove: temp.remove };
}

/** A JSON request to a server process over real HTTP with a bearer key; the body is null when not JSON. */
export async function callServer(
  baseUrl: string | undefined,
  method: string,
  path: string,
  key: string,
  body?: unknown,
): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json().catch(() => null)) as Json };
}

/**
 * What the crash, shutdown and chaos tests share: the fake LLM, one port and a restartableServerEnv,
 * so a server process can be killed and another started at the same address on the same data.
 * `server` is the current process (set by start/restart); `close` stops it, removes the data and
 * closes the fake LLM.
 */
export interface RestartableServer {
  llm: FakeLlm;
  env: Record<string, string>;
  port: number;
  server: ServerProcess | undefined;
  /** Starts a process (with `extra` on top of `env`) and makes it `server`. */
  start(extra?: Record<string, string>): Promise<ServerProcess>;
  /** kill -9 of `server`, then a new process on the same data. */
  restart(): Promise<ServerProcess>;
  close(): Promise<void>;
}

export async function restartableServer(
  llmOptions: FakeLlmOptions,
  extraEnv: Record<string, string>,
): Promise<RestartableServer> {
  const llm = await startFakeLlmServer(llmOptions);
  const port = await freePort();
  const { env, remove } = restartableServerEnv(llm.url, extraEnv);
  const fixture: RestartableServer = {
    llm,
    env,
    port,
    server: undefined,
    async start(extra = {}) {
      fixture.server = await startServerProcess({ ...env, ...extra }, port);
      return fixture.server;
    },
    async restart() {
      await fixture.server?.crash();
      return fixture.start();
    },
    async close() {
      await fixture.server?.stop();
      remove();
      await llm.close();
    },
  };
  return fixture;
}
