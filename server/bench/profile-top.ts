/**
 * The top functions of a V8 CPU profile (`node --cpu-prof`, or `npm run bench -- --profile`) by self
 * time, with their share of the profile, and the same grouped by package / source directory:
 *
 *   tsx bench/profile-top.ts bench/results/CPU.….cpuprofile [--top 30] [--skip 5] [--callers writev]
 *
 * A sampling heap profile (`.heapprofile`, `npm run bench -- --alloc-profile`) is read the same way,
 * in bytes allocated instead of time (`--skip` does not apply).
 *
 * `--inclusive`: also total time (self + callees) per function of our own source and per package
 * entry point, which shows what a request's stages cost (hooks, serialisation, a repository call).
 * `--exclude NAME`: leave out the self time of functions named NAME (as `(idle)` is).
 * `--callers NAME`: where the self time of functions named NAME comes from (the call stacks above it,
 * up to 8 frames, by share).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}
interface HeapNode {
  id: number;
  callFrame: ProfileNode['callFrame'];
  selfSize: number;
  children: HeapNode[];
}

const file = process.argv[2];
if (!file) throw new Error('usage: profile-top <file.cpuprofile> [--top N]');
const topAt = process.argv.indexOf('--top');
const TOP = topAt === -1 ? 30 : Number(process.argv[topAt + 1]);
const parsed = JSON.parse(readFileSync(file, 'utf8')) as Profile | { head: HeapNode };
const HEAP = 'head' in parsed;
const UNIT = HEAP
  ? { label: 'MB', per: 1e6, what: 'allocated' }
  : { label: 'ms', per: 1000, what: 'sampled, not idle' };

// Self weight per node: weighteconds of CPU, or bytes allocated.
const selfWeight = new Map<number, number>();
let nodes: ProfileNode[];
if ('head' in parsed) {
  // The heap profile is a tree of nodes with their bytes; flattened to the CPU profile's shape.
  nodes = [];
  const flatten = (node: HeapNode) => {
    nodes.push({ id: node.id, callFrame: node.callFrame, children: node.children.map((child) => child.id) });
    if (node.selfSize) selfWeight.set(node.id, node.selfSize);
    node.children.forEach(flatten);
  };
  flatten(parsed.head);
} else {
  nodes = parsed.nodes;
  // `--skip S`: leave out the first S seconds (start-up: module loading, schema compilation).
  const skipAt = process.argv.indexOf('--skip');
  const skipMicros = skipAt === -1 ? 0 : Number(process.argv[skipAt + 1]) * 1e6;
  // Each sample's delta goes to the node it hit; idle samples are not CPU.
  let elapsed = 0;
  parsed.samples.forEach((id, i) => {
    elapsed += parsed.timeDeltas[i] ?? 0;
    if (elapsed < skipMicros) return;
    selfWeight.set(id, (selfWeight.get(id) ?? 0) + (parsed.timeDeltas[i] ?? 0));
  });
}
// `--exclude writev`: leave out a function's self samples too. The profile samples wall time, and on a
// saturated machine the server is descheduled inside `writev` when it wakes the process it writes to.
const excludeAt = process.argv.indexOf('--exclude');
const EXCLUDED = new Set(['(idle)', ...(excludeAt === -1 ? [] : [process.argv[excludeAt + 1]])]);
for (const node of nodes) if (EXCLUDED.has(node.callFrame.functionName)) selfWeight.delete(node.id);
const byId = new Map(nodes.map((node) => [node.id, node]));
const total = [...selfWeight.values()].reduce((sum, value) => sum + value, 0);

/** Where a frame's code lives: a package, a directory of our source, node's internals, or V8. */
function place(url: string): string {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:internal/deps/')) return url.split('/').slice(0, 3).join('/');
  if (url.startsWith('node:internal/')) return url.split('/').slice(0, 2).join('/').replace(/\.js$/, '');
  if (url.startsWith('node:')) return url;
  const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (pkg) return pkg[1] as string;
  // The bench runs the build, whose dist/ mirrors src/: both group under src/.
  const own = url.match(/server\/(?:src|dist)\/((?:modules\/)?[^/]+)/);
  return own ? `src/${own[1]}` : url.replace(/^file:\/\//, '');
}

const byFunction = new Map<string, number>();
const byPlace = new Map<string, number>();
for (const [id, weight] of selfWeight) {
  const frame = (byId.get(id) as ProfileNode).callFrame;
  const name = frame.functionName || '(anonymous)';
  const where = frame.url
    ? `${frame.url.replace(/^.*\/(node_modules|server)\//, '$1/')}:${frame.lineNumber + 1}`
    : '';
  const key = `${name}  ${where}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + weight);
  byPlace.set(place(frame.url), (byPlace.get(place(frame.url)) ?? 0) + weight);
}

const print = (title: string, entries: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [key, weight] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, TOP))
    console.log(
      `${((100 * weight) / total).toFixed(1).padStart(5)}%  ${(weight / UNIT.per).toFixed(0).padStart(6)} ${UNIT.label}  ${key}`,
    );
};
console.log(`${file}: ${(total / UNIT.per).toFixed(0)} ${UNIT.label} ${UNIT.what}`);
const SELF = HEAP ? 'Allocated' : 'Self time';
print(`${SELF} by function`, byFunction);
print(`${SELF} by package / source directory`, byPlace);

const callersAt = process.argv.indexOf('--callers');
if (callersAt !== -1) {
  const wanted = process.argv[callersAt + 1];
  const parent = new Map<number, number>();
  for (const node of nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const stacks = new Map<string, number>();
  for (const [id, weight] of selfWeight) {
    if ((byId.get(id) as ProfileNode).callFrame.functionName !== wanted) continue;
    const frames: string[] = [];
    let at = parent.get(id);
    while (at !== undefined && frames.length < 8) {
      const frame = (byId.get(at) as ProfileNode).callFrame;
      frames.push(`${frame.functionName || '(anonymous)'}@${place(frame.url)}`);
      at = parent.get(at);
    }
    const key = frames.join(' < ');
    stacks.set(key, (stacks.get(key) ?? 0) + weight);
  }
  print(`Callers of ${wanted}`, stacks);
}

if (process.argv.includes('--inclusive')) {
  const parent = new Map<number, number>();
  for (const node of nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inclusive = new Map<string, number>();
  for (const [id, weight] of selfWeight) {
    const seen = new Set<string>();
    let at: number | undefined = id;
    while (at !== undefined) {
      const frame = (byId.get(at) as ProfileNode).callFrame;
      const where = place(frame.url);
      if (where.startsWith('src/') || !where.startsWith('node:')) {
        const key = `${frame.functionName || '(anonymous)'}  ${where}`;
        if (!seen.has(key) && where !== '(native / V8)') {
          seen.add(key);
          inclusive.set(key, (inclusive.get(key) ?? 0) + weight);
        }
      }
      at = parent.get(at);
    }
  }
  print(`Inclusive ${HEAP ? 'bytes' : 'time'} (self + callees) by function`, inclusive);
}
