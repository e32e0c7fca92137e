#!/usr/bin/env node
// Replays the final stage of the root Dockerfile without docker and proves the runtime works from
// exactly the files that stage holds: its `COPY --from=build` lines are copied from this checkout into
// an empty directory, its `RUN npm ci …` is run there, then the migration command and the server
// (the stage's CMD, with the stage's ENV) are started from that directory only, and /health, the web
// app, one of its assets, /widget.js and the HEALTHCHECK command are tried. Catches a file the image
// forgets (migrations, a dist folder, a runtime dependency declared as a dev dependency).
//
//   node deploy/scripts/check-image-layout.mjs [--static] [--no-build] [--keep]
//     --static    only the checks on the Dockerfile's text (part of npm run deploy:check)
//     --no-build  use the existing server/web/widget dist folders instead of `npm run build` first
//     --keep      leave the temporary directory for inspection
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = new Set(process.argv.slice(2));
const problems = [];
const fail = (message) => {
  console.error(`image layout: ${message}`);
  process.exitCode = 1;
  problems.push(message);
};
const step = (message) => console.log(`-- ${message}`);

/** The Dockerfile's instructions (continuation lines joined, comments dropped), per stage. */
function parseDockerfile(text) {
  const lines = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!current && (line === '' || line.startsWith('#'))) continue;
    if (current && line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    lines.push((current + line).trim());
    current = '';
  }
  const stages = [];
  for (const line of lines) {
    const [instruction, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (instruction.toUpperCase() === 'FROM') {
      const name = /\bAS\s+(\S+)/i.exec(args)?.[1];
      stages.push({ name, from: rest[0], instructions: [] });
    } else if (stages.length > 0) {
      stages.at(-1).instructions.push({ instruction: instruction.toUpperCase(), args });
    }
  }
  return stages;
}

/** `KEY=value KEY2=value2` (ENV's modern form). */
function parseEnv(args) {
  const env = {};
  for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g)) {
    env[match[1]] = match[2].replace(/^"|"$/g, '');
  }
  return env;
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

async function waitForHealth(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`the server exited with ${child.exitCode} before it was healthy`);
    try {
      const response = await fetch(url);
      if (response.ok) return response.json();
      last = `status ${response.status}`;
    } catch (error) {
      last = error.message;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`/health did not answer 200 within ${timeoutMs / 1000}s (last: ${last})`);
}

const dockerfile = parseDockerfile(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
const final = dockerfile.at(-1);
const buildStage = dockerfile.find((stage) => stage.name === 'build');
if (!final || !buildStage || final === buildStage) {
  console.error('image layout: the Dockerfile needs a `build` stage and a final stage after it');
  process.exit(1);
}
const of = (instruction) => final.instructions.filter((item) => item.instruction === instruction);

// Static expectations on the final stage.
const user = of('USER').at(-1)?.args;
if (!user || user === 'root' || user === '0') fail('the final stage must switch to a non-root USER');
const envFromImage = Object.assign({}, ...of('ENV').map((item) => parseEnv(item.args)));
if (envFromImage.NODE_ENV !== 'production') fail('the final stage must set NODE_ENV=production');
if (envFromImage.HOST !== '0.0.0.0') fail('the final stage must listen on all interfaces (HOST=0.0.0.0)');
const exposed = of('EXPOSE').flatMap((item) => item.args.split(/\s+/));
if (!exposed.includes(envFromImage.PORT))
  fail(`EXPOSE ${exposed.join(' ')} does not include PORT=${envFromImage.PORT}`);
if (!of('VOLUME').some((item) => item.args.includes(envFromImage.DATA_DIR))) {
  fail(`DATA_DIR=${envFromImage.DATA_DIR} is not declared as a VOLUME`);
}
const healthcheck = of('HEALTHCHECK').at(-1)?.args;
const healthcheckCommand = healthcheck
  ? JSON.parse(healthcheck.slice(healthcheck.indexOf('CMD') + 3).trim())
  : null;
if (!healthcheckCommand?.join(' ').includes('/health')) fail('HEALTHCHECK must call /health (exec form)');
const command = JSON.parse(of('CMD').at(-1)?.args ?? 'null');
if (!Array.isArray(command) || command[0] !== 'node') fail('CMD must be the exec form starting node');
const copies = of('COPY').map((item) => {
  const match = /^--from=build\s+(\/app\/\S+)\s+(\/app\/\S+)$/.exec(item.args);
  if (!match) fail(`unexpected COPY in the final stage: ${item.args}`);
  return match ? { from: match[1].slice('/app/'.length), to: match[2].slice('/app/'.length) } : null;
});
const npmCommands = of('RUN')
  .flatMap((item) => item.args.split('&&').map((part) => part.trim()))
  .filter((part) => part.startsWith('npm ci'));
if (npmCommands.length !== 1 || !npmCommands[0].includes('--omit=dev')) {
  fail('the final stage must install with exactly one `npm ci --omit=dev …`');
}
for (const needed of ['server/dist', 'server/drizzle', 'web/dist', 'widget/dist', 'package-lock.json']) {
  if (!copies.some((copy) => copy?.to === needed)) fail(`the final stage does not copy ${needed}`);
}
if (problems.length > 0) process.exit(1);
if (args.has('--static')) {
  console.log('image layout: the final stage is well-formed (static checks only)');
  process.exit(0);
}

if (!args.has('--no-build')) {
  step('npm run build');
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
}

const dir = mkdtempSync(path.join(tmpdir(), 'icmp-image-'));
let server;
try {
  step(`replaying the final stage in ${dir}`);
  for (const copy of copies) {
    const source = path.join(ROOT, copy.from);
    if (!existsSync(source)) throw new Error(`COPY source ${copy.from} does not exist after the build`);
    const target = path.join(dir, copy.to);
    mkdirSync(path.dirname(target), { recursive: true });
    cpSync(source, target, { recursive: true });
  }
  const [npm, ...npmArgs] = npmCommands[0].split(/\s+/);
  step(npmCommands[0]);
  execFileSync(npm, npmArgs, { cwd: dir, stdio: 'inherit' });
  for (const devOnly of ['typescript', 'vitest', 'vite', 'drizzle-kit', 'tsx', '@biomejs/biome', 'react']) {
    if (existsSync(path.join(dir, 'node_modules', devOnly)))
      fail(`${devOnly} is installed in the runtime stage`);
  }
  const size = spawnSync('du', ['-sm', dir], { encoding: 'utf8' }).stdout.split(/\s/)[0];
  step(`runtime files: ${size} MiB (node_modules + dist + migrations)`);

  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME ?? dir,
    ...envFromImage,
    // On this machine: a loopback port of our own, a data dir in the temporary directory.
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: path.join(dir, 'data'),
    ICMP_API_KEY: randomBytes(24).toString('hex'),
    LOG_LEVEL: 'warn',
  };
  step('migrations: node server/dist/db/migrate-cli.js');
  execFileSync('node', ['server/dist/db/migrate-cli.js'], { cwd: dir, env, stdio: 'inherit' });

  step(`server: ${command.join(' ')} on port ${port}`);
  server = spawn(command[0], command.slice(1), { cwd: dir, env, stdio: ['ignore', 'inherit', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  const health = await waitForHealth(`${base}/health`, server, 120_000);
  if (health.database !== 'connected') fail(`/health says database ${health.database}`);

  const page = await fetch(`${base}/`);
  const html = await page.text();
  if (!page.ok || !html.includes('<div id="root"'))
    fail(`GET / did not serve the web app (status ${page.status})`);
  const asset = /(?:src|href)="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  if (!asset) fail('index.html references no /assets/*.js');
  else {
    const response = await fetch(base + asset);
    if (!response.ok) fail(`GET ${asset} answered ${response.status}`);
  }
  const widget = await fetch(`${base}/widget.js`);
  if (!widget.ok || !(widget.headers.get('content-type') ?? '').includes('javascript')) {
    fail(`GET /widget.js answered ${widget.status} ${widget.headers.get('content-type')}`);
  }
  const clientRoute = await fetch(`${base}/settings`);
  if (!clientRoute.ok) fail(`a client-side route (/settings) answered ${clientRoute.status}`);

  step(`HEALTHCHECK: ${healthcheckCommand.join(' ').slice(0, 60)}…`);
  const probe = spawnSync(healthcheckCommand[0], healthcheckCommand.slice(1), {
    cwd: dir,
    env,
    timeout: 15_000,
  });
  if (probe.status !== 0) fail(`the HEALTHCHECK command exited with ${probe.status}`);

  step('SIGTERM');
  const exited = new Promise((resolve) => server.once('exit', (code) => resolve(code)));
  server.kill('SIGTERM');
  const code = await Promise.race([
    exited,
    new Promise((resolve) => setTimeout(() => resolve('timeout'), 60_000)),
  ]);
  if (code !== 0) fail(`after SIGTERM the server ended with ${code}, expected 0`);
  server = undefined;
} catch (error) {
  fail(error.message);
} finally {
  if (server && server.exitCode === null) server.kill('SIGKILL');
  if (args.has('--keep')) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}

if (problems.length === 0) console.log('image layout: the final stage runs from its own files (ok)');
else process.exit(1);
