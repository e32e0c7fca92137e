// npm run chaos --workspace server [-- --only=kill,postgres,redis,llm,soak] [--seconds=30] [--minutes=2] [--customers=16]
// Fault runs under load on PostgreSQL + Redis (DATABASE_URL, REDIS_URL): each makes its own database
// next to DATABASE_URL's and drops it after; faults go through TCP proxies, so the shared PostgreSQL
// and Redis are never restarted. Exits 1 when any run lost, duplicated, reordered or left unanswered
// a message.
import { type RunSettings, SCENARIOS, type ScenarioResult } from './scenarios.js';

function option(name: string): string | undefined {
  const arg = process.argv.slice(2).find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  return arg?.includes('=') ? arg.slice(arg.indexOf('=') + 1) : undefined;
}

const databaseUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
if (!databaseUrl || !redisUrl) {
  console.error('npm run chaos needs PostgreSQL and Redis: set DATABASE_URL and REDIS_URL.');
  process.exit(2);
}
const only = option('only')?.split(',').filter(Boolean) ?? Object.keys(SCENARIOS);
const unknown = only.filter((name) => !(name in SCENARIOS));
if (unknown.length > 0) {
  console.error(`Unknown run(s): ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  process.exit(2);
}
const settings: RunSettings = {
  databaseUrl,
  redisUrl,
  seconds: Number(option('seconds') ?? 30),
  minutes: Number(option('minutes') ?? 2),
  customers: Number(option('customers') ?? 16),
};

const results: ScenarioResult[] = [];
for (const name of only) {
  console.log(`[${name}] starting`);
  const run = SCENARIOS[name] as (s: RunSettings) => Promise<ScenarioResult>;
  try {
    const result = await run(settings);
    console.log(result.report);
    console.log(`[${name}] ${result.ok ? 'PASS' : 'FAIL'}`);
    results.push(result);
  } catch (error) {
    console.error(`[${name}] FAIL: ${error instanceof Error ? error.stack : String(error)}`);
    results.push({ name, ok: false, report: String(error) });
  }
}
console.log(`\nchaos: ${results.map((r) => `${r.name} ${r.ok ? 'PASS' : 'FAIL'}`).join(', ')}`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
