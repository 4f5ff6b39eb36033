import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['server/src/**/*.test.ts', 'client/src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    // Real-server tests (tracer, rehearsal) wait on locks on purpose; the default 5 s is too tight on 2 cores.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One embedded PostgreSQL for the whole run; tests get its URL through inject('lockstepPgUrl').
    globalSetup: ['test/setup/embedded-pg.ts'],
  },
});
