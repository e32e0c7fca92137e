import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // nginx + three server processes: its own run (vitest.multiprocess.config.ts, npm run test:multiprocess).
    exclude: [...configDefaults.exclude, 'test/multiprocess/**'],
    setupFiles: ['test/setup/own-postgres-database.ts'],
    // Once per run: a migrated PGlite database and the transpiled server (see the file).
    globalSetup: ['test/setup/prepared-server.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Each file gets its own in-memory database; two workers fit this 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
    // A worker's files share its process and module cache: each file loading the server's modules anew
    // was ~165 s of the suite's summed import time (~2.5 min of a CI run per database). A file's state
    // lives in the app it builds and the database it gets; modules keep only caches of pure results
    // (parsed templates, prices) and tracing, which an app switches off when it closes.
    isolate: false,
  },
});
