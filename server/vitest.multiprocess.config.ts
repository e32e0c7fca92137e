import { defineConfig } from 'vitest/config';

/**
 * `npm run test:multiprocess`: nginx in front of three server processes on PostgreSQL + Redis
 * (DATABASE_URL, REDIS_URL). Not part of `npm test`; the file skips, saying why, without them.
 */
export default defineConfig({
  test: {
    include: ['test/multiprocess/**/*.test.ts'],
    // The file's own database next to DATABASE_URL, shared by the processes it starts.
    setupFiles: ['test/setup/own-postgres-database.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
