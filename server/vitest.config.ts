import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup/own-postgres-database.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Each file gets its own in-memory database; two workers fit this 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
  },
});
