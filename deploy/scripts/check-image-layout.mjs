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
//   DATABASE_URL / REDIS_URL in the environment: the server uses them (an empty database is migrated)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSelfSignedCert } from './self-signed-cert.mjs';

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
// The image runs the server as `npm start` does: the same node flags (the young generation's size).
const startScript = JSON.parse(readFileSync(path.join(ROOT, 'server/package.json'), 'utf8')).scripts.start;
const flagsOf = (words) => words.filter((word) => word.startsWith('--')).join(' ');
if (Array.isArray(command) && flagsOf(command) !== flagsOf(startScript.split(/\s+/))) {
  fail(`CMD's node flags (${flagsOf(command)}) differ from server's start script (${startScript})`);
}
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
    // As behind deploy/nginx/icmp.conf (compose and Kubernetes set it too).
    TRUST_PROXY: '1',
  };
  // On PostgreSQL + Redis (as compose and Kubernetes run it) when given, else on PGlite in DATA_DIR.
  for (const name of ['DATABASE_URL', 'REDIS_URL']) if (process.env[name]) env[name] = process.env[name];
  // As compose and Kubernetes start it: migrated by the step above, not at start; on PostgreSQL with
  // two processes (node:cluster), as the WEB_CONCURRENCY of deploy/.env.example allows.
  env.MIGRATE_ON_START = 'false';
  if (env.DATABASE_URL) env.WEB_CONCURRENCY = '2';
  step(
    env.DATABASE_URL
      ? 'database: PostgreSQL from DATABASE_URL'
      : 'database: PGlite in the temporary DATA_DIR',
  );
  step('migrations: node server/dist/db/migrate-cli.js');
  execFileSync('node', ['server/dist/db/migrate-cli.js'], { cwd: dir, env, stdio: 'inherit' });

  step(`server: ${command.join(' ')} on port ${port}`);
  server = spawn(command[0], command.slice(1), { cwd: dir, env, stdio: ['ignore', 'inherit', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  const health = await waitForHealth(`${base}/health`, server, 120_000);
  if (health.database !== 'connected') fail(`/health says database ${health.database}`);
  const expectedKind = env.DATABASE_URL ? 'postgres' : 'pglite';
  if (health.database_kind !== expectedKind)
    fail(`/health says ${health.database_kind}, expected ${expectedKind}`);

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

  if (spawnSync('sh', ['-c', 'command -v nginx && command -v openssl'], { stdio: 'ignore' }).status === 0) {
    await throughNginx(base, port, env.ICMP_API_KEY, dir);
  } else if (process.env.CI === 'true') {
    fail('nginx or openssl is not installed: the proxy was not tried');
  } else {
    step('nginx not installed: deploy/nginx/icmp.conf not tried in front of the server');
  }

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

/** One HTTPS request to the local nginx (its certificate is a throw-away one). */
function tls(url, { method = 'GET', headers = {}, body, untilEvent } = {}) {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method, headers, rejectUnauthorized: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        text += chunk;
        // A stream that never ends on its own: stop once the awaited event is there.
        if (untilEvent && text.includes(`event: ${untilEvent}`)) {
          response.destroy();
          resolve({ status: response.statusCode, headers: response.headers, text });
        }
      });
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, text }));
      response.on('error', reject);
    });
    req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${url}: no answer within 60 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * deploy/nginx/icmp.conf in front of the server (addresses and ports made local, the rest as
 * shipped): redirect to https, /health and the web app through TLS, /metrics kept inside, the request
 * id passed on, a streamed reply and the inbox's live stream through the unbuffered locations.
 */
async function throughNginx(base, appPort, masterKey, dir) {
  const nginxDir = path.join(dir, 'nginx');
  mkdirSync(nginxDir);
  const [httpPort, tlsPort] = [await freePort(), await freePort()];
  step(`nginx (deploy/nginx/icmp.conf) on ${httpPort}/${tlsPort} → ${appPort}`);
  writeSelfSignedCert(nginxDir);
  const shipped = readFileSync(path.join(ROOT, 'deploy/nginx/icmp.conf'), 'utf8');
  const local = shipped
    .replace(/^resolver .*$/m, '')
    .replace(/set \$icmp_app [^;]+;/, `set $icmp_app 127.0.0.1:${appPort};`)
    .replace(/^\s*listen \[::\]:.*$/gm, '')
    .replace(/listen 80;/, `listen 127.0.0.1:${httpPort};`)
    .replace(/listen 443 ssl/, `listen 127.0.0.1:${tlsPort} ssl`)
    .replaceAll('/etc/nginx/certs/', `${nginxDir}/`)
    .replace('root /var/www/acme;', `root ${nginxDir};`);
  if (!local.includes(`127.0.0.1:${appPort}`) || !local.includes(`:${tlsPort} ssl`)) {
    fail('deploy/nginx/icmp.conf no longer has the lines this check localises');
    return;
  }
  writeFileSync(path.join(nginxDir, 'icmp.conf'), local);
  writeFileSync(
    path.join(nginxDir, 'nginx.conf'),
    `daemon off;\nmaster_process off;\npid ${nginxDir}/nginx.pid;\nerror_log ${nginxDir}/error.log warn;\n` +
      `events {}\nhttp {\n  access_log off;\n  include ${nginxDir}/icmp.conf;\n}\n`,
  );
  const nginx = spawn('nginx', ['-p', nginxDir, '-c', path.join(nginxDir, 'nginx.conf')], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const https = `https://127.0.0.1:${tlsPort}`;
  try {
    let up = false;
    for (let attempt = 0; attempt < 120 && !up && nginx.exitCode === null; attempt++) {
      up = await tls(`${https}/health`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (!up) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    if (!up) {
      fail(
        `nginx did not answer /health (${readFileSync(path.join(nginxDir, 'error.log'), 'utf8').trim().slice(-300)})`,
      );
      return;
    }
    const redirect = await fetch(`http://127.0.0.1:${httpPort}/health`, { redirect: 'manual' });
    if (redirect.status !== 301 || !redirect.headers.get('location')?.startsWith('https://'))
      fail(`http is not redirected to https (${redirect.status})`);
    const health = await tls(`${https}/health`);
    if (!/^[0-9a-f]{32}$/.test(String(health.headers['x-request-id'])))
      fail(`the app did not get nginx's request id (${health.headers['x-request-id']})`);
    const page = await tls(`${https}/`);
    if (page.status !== 200 || !page.text.includes('<div id="root"'))
      fail(`GET / through nginx answered ${page.status}`);
    const metrics = await tls(`${https}/metrics`, { headers: { authorization: `Bearer ${masterKey}` } });
    if (metrics.status !== 404) fail(`/metrics is reachable through the proxy (${metrics.status})`);

    const created = await fetch(`${base}/api/businesses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${masterKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ business_name: 'Image layout check' }),
    });
    if (!created.ok) {
      fail(`could not create a business (${created.status})`);
      return;
    }
    const business = await created.json();
    const live = tls(`${https}/api/conversations/events?business_id=${business.business_id}`, {
      headers: { authorization: `Bearer ${business.api_key}`, accept: 'text/event-stream' },
      untilEvent: 'message',
    });
    const streamed = await tls(`${https}/api/message`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${business.api_key}`,
        accept: 'text/event-stream',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ content: 'Hello, I am Ana, ana@example.com' }),
    });
    if (
      streamed.status !== 200 ||
      !String(streamed.headers['content-type']).startsWith('text/event-stream') ||
      !streamed.text.includes('event: done')
    ) {
      fail(`a streamed reply through nginx failed (${streamed.status}: ${streamed.text.slice(0, 200)})`);
    }
    const events = await live;
    if (
      events.status !== 200 ||
      !events.text.includes('event: ready') ||
      !events.text.includes('event: message')
    ) {
      fail(
        `the live inbox stream through nginx did not deliver the message (${events.status}: ${events.text.slice(0, 200)})`,
      );
    }
  } catch (error) {
    fail(`through nginx: ${error.message}`);
  } finally {
    nginx.kill('SIGTERM');
  }
}
