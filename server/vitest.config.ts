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
  },
});
