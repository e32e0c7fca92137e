/**
 * Loaded into a bench server with `--import` (`npm run bench -- --promise-count`): counts the promises
 * the process creates (an `async_hooks` init hook) and the HTTP requests it serves, and where every 37th
 * promise was made (its three innermost frames outside node's internals). Each promise is an object to
 * collect and, once settled, a microtask, so promises per request is a count of a request's
 * asynchronous overhead that the machine's other work does not change (ARCHITECTURE's twenty-ninth
 * pass). The hook slows the process: read the counts, not that run's timings. On SIGTERM it writes
 * `Promises.<pid>.txt` to bench/results/.
 */
import { createHook } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const SAMPLE_EVERY = 37;
let promises = 0;
let requests = 0;
const sites = new Map<string, number>();

subscribe('http.server.request.start', () => {
  requests += 1;
});

function creationSite(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 16;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  return stack
    .split('\n')
    .slice(1)
    .map((line) => line.trim().replace(/^at /, ''))
    .filter((frame) => !frame.includes('node:internal/async_hooks') && !frame.includes('promise-counter'))
    .slice(0, 3)
    .map((frame) => frame.replace(/\(?(file:\/\/)?\/\S*\/(node_modules|server)\//, '($2/'))
    .join(' < ');
}

createHook({
  init(_id, type) {
    if (type !== 'PROMISE') return;
    promises += 1;
    if (promises % SAMPLE_EVERY !== 0) return;
    const site = creationSite();
    sites.set(site, (sites.get(site) ?? 0) + SAMPLE_EVERY);
  },
}).enable();

process.once('SIGTERM', () => {
  const dir = path.resolve('bench/results');
  mkdirSync(dir, { recursive: true });
  const perRequest = requests ? (promises / requests).toFixed(1) : '-';
  const top = [...sites].sort((a, b) => b[1] - a[1]).slice(0, 40);
  writeFileSync(
    path.join(dir, `Promises.${process.pid}.txt`),
    [
      `${promises} promises, ${requests} HTTP requests: ${perRequest} per request (start-up included)`,
      `where they were made (every ${SAMPLE_EVERY}th, scaled):`,
      ...top.map(([site, count]) => `${String(count).padStart(9)}  ${site}`),
      '',
    ].join('\n'),
  );
});
