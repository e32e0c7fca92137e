import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FullConfig } from '@playwright/test';

/**
 * Starts real processes, no mocks: the web app is built into a private directory (so the run
 * always tests the current sources and never touches `web/dist`), the fake OpenAI-compatible LLM
 * (server/test/helpers/fake-llm-cli.ts) and the ICMP server on embedded PGlite in a fresh temp
 * dir. Tests read `E2E_BASE_URL` and `E2E_ADMIN_KEY` from the environment (global setup's
 * process.env is inherited by the workers). The returned function is the teardown.
 */
const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = path.resolve(WEB_DIR, '..');
const SERVER_DIR = path.join(ROOT, 'server');
const RESULTS_DIR = path.join(WEB_DIR, 'test-results');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function run(
  command: string,
  args: string[],
  cwd: string,
  log: string,
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...extraEnv },
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      writeFileSync(log, output);
      if (code === 0) resolve();
      else
        reject(
          new Error(`${command} ${args.join(' ')} failed (exit ${code}); see ${log}\n${output.slice(-2000)}`),
        );
    });
  });
}

function startProcess(name: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const log = createWriteStream(path.join(RESULTS_DIR, `${name}.log`));
  const child = spawn(process.execPath, args, { cwd: SERVER_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

/** The first line the fake LLM prints is its URL. */
function waitForUrl(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(
      () => reject(new Error('a fake server did not print its URL in time')),
      timeoutMs,
    );
    child.stdout?.on('data', (d) => {
      buffer += d;
      const match = /https?:\/\/\S+/.exec(buffer);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`a fake server exited early (code ${code})`));
    });
  });
}

async function waitForHealth(baseURL: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  while (Date.now() < deadline) {
    if (exited !== undefined)
      throw new Error(`ICMP server exited during start (code ${exited}); see test-results/server.log`);
    try {
      const res = await fetch(`${baseURL}/health`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `ICMP server did not answer GET /health with 200 within ${timeoutMs} ms; see test-results/server.log`,
  );
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export default async function globalSetup(_config: FullConfig) {
  const started = Date.now();
  mkdirSync(path.join(RESULTS_DIR, 'screenshots'), { recursive: true });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'icmp-e2e-'));
  let fakeLlm: ChildProcess | undefined;
  let fakeGraph: ChildProcess | undefined;
  let server: ChildProcess | undefined;

  const teardown = async () => {
    await stop(server);
    await stop(fakeLlm);
    await stop(fakeGraph);
    rmSync(tmp, { recursive: true, force: true });
  };

  try {
    // The web build and the fake LLM do not depend on each other: start both at once.
    const distDir = path.join(tmp, 'web-dist');
    const build = run(
      'npm',
      ['run', 'build', '--workspace', 'web', '--', '--outDir', distDir, '--emptyOutDir'],
      ROOT,
      path.join(RESULTS_DIR, 'web-build.log'),
    );
    // The widget is built from the current sources too, into the same private directory tree.
    const widgetDir = path.join(tmp, 'widget-dist');
    const widgetBuild = run(
      'npm',
      ['run', 'build', '--workspace', 'widget'],
      ROOT,
      path.join(RESULTS_DIR, 'widget-build.log'),
      { WIDGET_OUT_DIR: widgetDir },
    );
    fakeLlm = startProcess(
      'fake-llm',
      ['--import', 'tsx', 'test/helpers/fake-llm-cli.ts', '--port', '0', '--latency', '20'],
      process.env,
    );
    // The Graph API's protocol fake: every WhatsApp/Messenger send is a JSON line in fake-graph.log.
    fakeGraph = startProcess(
      'fake-graph',
      ['--import', 'tsx', 'test/helpers/fake-graph-cli.ts', '--port', '0', '--log'],
      process.env,
    );
    const [llmUrl, graphUrl] = await Promise.all([
      waitForUrl(fakeLlm, 30_000),
      waitForUrl(fakeGraph, 30_000),
      build,
      widgetBuild,
    ]);
    const metaAppSecret = `e2e_meta_${randomBytes(12).toString('hex')}`;
    const builtAt = Date.now();

    const port = await freePort();
    const adminKey = `e2e_admin_${randomBytes(15).toString('hex')}`; // 40 characters
    const env: NodeJS.ProcessEnv = { ...process.env };
    // Always the embedded database and in-process rate limits, whatever the caller's shell has.
    delete env.DATABASE_URL;
    delete env.REDIS_URL;
    delete env.ANTHROPIC_API_KEY;
    server = startProcess('server', ['--import', 'tsx', 'src/main.ts'], {
      ...env,
      NODE_ENV: 'development',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: path.join(tmp, 'data'),
      WEB_DIST_DIR: distDir,
      WIDGET_DIST_DIR: widgetDir,
      ICMP_API_KEY: adminKey,
      OPENAI_BASE_URL: llmUrl,
      OPENAI_API_KEY: 'test',
      LLM_MODEL: 'fake-model',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '100000',
      GRAPH_API_BASE_URL: graphUrl,
      META_APP_SECRET: metaAppSecret,
    });
    const baseURL = `http://127.0.0.1:${port}`;
    await waitForHealth(baseURL, server, 60_000);

    process.env.E2E_BASE_URL = baseURL;
    process.env.E2E_ADMIN_KEY = adminKey;
    process.env.E2E_META_APP_SECRET = metaAppSecret;
    process.env.E2E_GRAPH_LOG = path.join(RESULTS_DIR, 'fake-graph.log');
    console.log(
      `[e2e] ICMP at ${baseURL} (PGlite in ${tmp}), fake LLM at ${llmUrl}; ` +
        `web build + fake LLM ${builtAt - started} ms, server start ${Date.now() - builtAt} ms`,
    );
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
