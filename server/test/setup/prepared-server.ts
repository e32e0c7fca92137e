import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { TestProject } from 'vitest/node';

/**
 * Vitest globalSetup: what every test file would otherwise redo, done once per run.
 *
 * - PGlite (no DATABASE_URL): a database with every migration applied, once as a dumpDataDir
 *   tarball (each in-memory test database loads it instead of running initdb and the migrations:
 *   ~1 s of CPU instead of ~5 s per file) and once as a data directory that server processes get a
 *   copy of in their DATA_DIR. Both are cached in the OS temp dir under a hash of the migrations and
 *   the PGlite version; a test that needs an empty database still gets one (see server-process.ts).
 * - The server transpiled to JavaScript (TypeScript's transpileModule, no type check: what tsx does
 *   on each start), so server processes start with plain `node` instead of loading tsx each time.
 *   It lives in server/.test-build-<id>/ (the same depth as src/: the paths src resolves from its
 *   own location still work) and is removed after the run.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated PGlite database (dumpDataDir tarball); '' on PostgreSQL. */
    pgliteDump: string;
    /** A migrated PGlite data directory to copy into a server process's DATA_DIR; '' on PostgreSQL. */
    pgliteDir: string;
    /** The transpiled server (the counterpart of src/). */
    serverBuild: string;
  }
}

const SERVER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MIGRATIONS = path.join(SERVER_DIR, 'drizzle');

export default async function setup(project: TestProject) {
  const build = transpileServer();
  project.provide('serverBuild', build);
  if (process.env.DATABASE_URL) {
    project.provide('pgliteDump', '');
    project.provide('pgliteDir', '');
  } else {
    const templates = await migratedPglite();
    project.provide('pgliteDump', templates.dump);
    project.provide('pgliteDir', templates.dir);
  }
  return () => rmSync(build, { recursive: true, force: true });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

function transpileServer(): string {
  const src = path.join(SERVER_DIR, 'src');
  const out = path.join(SERVER_DIR, `.test-build-${randomBytes(4).toString('hex')}`);
  for (const file of filesUnder(src)) {
    const target = path.join(out, path.relative(src, file));
    mkdirSync(path.dirname(target), { recursive: true });
    if (!file.endsWith('.ts')) {
      writeFileSync(target, readFileSync(file));
      continue;
    }
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        isolatedModules: true,
      },
    });
    writeFileSync(target.replace(/\.ts$/, '.js'), outputText);
  }
  return out;
}

async function migratedPglite(): Promise<{ dump: string; dir: string }> {
  const hash = createHash('sha256');
  const pglite = JSON.parse(
    readFileSync(path.join(SERVER_DIR, '../node_modules/@electric-sql/pglite/package.json'), 'utf8'),
  ) as { version: string };
  hash.update(pglite.version);
  for (const file of filesUnder(MIGRATIONS).sort()) hash.update(file).update(readFileSync(file));
  const base = path.join(tmpdir(), `icmp-test-pglite-${hash.digest('hex').slice(0, 16)}`);
  const dump = `${base}.tar`;
  const dir = `${base}.dir`;
  if (existsSync(dump) && existsSync(dir)) return { dump, dir };

  const [{ PGlite }, { pg_trgm }, { btree_gin }, { drizzle }, { migrate }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/contrib/pg_trgm'),
    import('@electric-sql/pglite/contrib/btree_gin'),
    import('drizzle-orm/pglite'),
    import('drizzle-orm/pglite/migrator'),
  ]);
  const extensions = { pg_trgm, btree_gin };
  // Written under temporary names and renamed: runs started at the same time never read half a file.
  const tmp = `${base}.${randomBytes(4).toString('hex')}`;
  const memory = new PGlite({ extensions });
  await migrate(drizzle(memory), { migrationsFolder: MIGRATIONS });
  writeFileSync(`${tmp}.tar`, Buffer.from(await (await memory.dumpDataDir('none')).arrayBuffer()));
  await memory.close();
  const onDisk = new PGlite(`${tmp}.dir`, { extensions });
  await migrate(drizzle(onDisk), { migrationsFolder: MIGRATIONS });
  await onDisk.close();
  renameSync(`${tmp}.tar`, dump);
  try {
    renameSync(`${tmp}.dir`, dir);
  } catch {
    rmSync(`${tmp}.dir`, { recursive: true, force: true }); // another run got there first
  }
  return { dump, dir };
}
