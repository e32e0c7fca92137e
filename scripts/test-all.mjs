// `npm test` at the root: every workspace's tests, each run even when an earlier one failed, and a
// non-zero exit when any failed (an `a && b` chain would skip the rest after the first failure).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const { workspaces } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const results = [];
for (const workspace of workspaces) {
  const manifest = JSON.parse(readFileSync(new URL(`../${workspace}/package.json`, import.meta.url), 'utf8'));
  if (!manifest.scripts?.test) continue;
  console.log(`\n▶ ${workspace}: npm test\n`);
  const run = spawnSync(npm, ['run', 'test', '--workspace', workspace, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  results.push({ workspace, code: run.status ?? 1 });
}
console.log('\nTest summary:');
for (const { workspace, code } of results) console.log(`  ${code === 0 ? 'passed' : 'FAILED'}  ${workspace}`);
process.exit(results.some((result) => result.code !== 0) ? 1 : 0);
