/**
 * dependency-cruiser finds cycles between files; this finds cycles between modules (src/modules/<name>
 * as one node), e.g. a template service using the config cache while the cache imports templates.
 * Exits 1 naming each cycle.
 */
import { cruise, type IModule } from 'dependency-cruiser';

const MODULE = /^src\/modules\/([^/]+)\//;
const result = await cruise(['src'], {
  tsPreCompilationDeps: true,
  doNotFollow: { path: 'node_modules' },
  enhancedResolveOptions: { extensions: ['.ts', '.js'] },
});
if (typeof result.output === 'string') throw new Error('unexpected string output');

const edges = new Map<string, Map<string, string>>();
for (const file of result.output.modules as IModule[]) {
  const from = MODULE.exec(file.source)?.[1];
  if (!from) continue;
  for (const dependency of file.dependencies) {
    const to = MODULE.exec(dependency.resolved)?.[1];
    if (!to || to === from) continue;
    const targets = edges.get(from) ?? new Map<string, string>();
    if (!targets.has(to)) targets.set(to, `${file.source} → ${dependency.resolved}`);
    edges.set(from, targets);
  }
}

const cycles: string[] = [];
const done = new Set<string>();
function visit(node: string, path: string[]) {
  const at = path.indexOf(node);
  if (at >= 0) {
    const cycle = [...path.slice(at), node];
    const steps = cycle.slice(1).map((to, i) => `    ${edges.get(cycle[i] as string)?.get(to)}`);
    cycles.push(`  ${cycle.join(' → ')}\n${steps.join('\n')}`);
    return;
  }
  if (done.has(node)) return;
  for (const next of edges.get(node)?.keys() ?? []) visit(next, [...path, node]);
  done.add(node);
}
for (const node of edges.keys()) visit(node, []);

if (cycles.length > 0) {
  console.error(`error no-module-cycle: modules import each other\n${cycles.join('\n')}`);
  process.exit(1);
}
console.log(`✔ no cycles between the ${edges.size} modules that import others`);
