import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/build-test-app.js';

/**
 * Issue 12 finding 7: the root `npm test` runs every workspace even when one fails, and fails then.
 * Runs the repository's own root `test` script in a copy of the monorepo's shape whose first
 * workspace fails.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const temp = makeTempDir('icmp-root-test-');
afterAll(() => temp.remove());

describe('the root npm test script', () => {
  it('runs every workspace after a failing one and exits non-zero', () => {
    const root = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    writeFileSync(
      path.join(temp.dir, 'package.json'),
      JSON.stringify({
        name: 'shape',
        private: true,
        workspaces: root.workspaces,
        scripts: { test: root.scripts.test },
      }),
    );
    if (existsSync(path.join(ROOT, 'scripts')))
      cpSync(path.join(ROOT, 'scripts'), path.join(temp.dir, 'scripts'), { recursive: true });
    for (const [index, workspace] of (root.workspaces as string[]).entries()) {
      mkdirSync(path.join(temp.dir, workspace));
      const test =
        index === 0 ? 'node -e "process.exit(1)"' : `node -e "require('fs').writeFileSync('ran', 'yes')"`;
      writeFileSync(
        path.join(temp.dir, workspace, 'package.json'),
        JSON.stringify({ name: `shape-${workspace}`, private: true, scripts: { test } }),
      );
    }
    const run = spawnSync('npm', ['test'], { cwd: temp.dir, encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stdout + run.stderr).not.toBe(0);
    for (const workspace of (root.workspaces as string[]).slice(1)) {
      expect(existsSync(path.join(temp.dir, workspace, 'ran')), `${workspace} ran`).toBe(true);
    }
  }, 150_000);
});
