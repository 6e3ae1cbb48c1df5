import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One migrated PGlite database and one Postgres template per run, copied by each test that needs one
    // (test/helpers/db.ts).
    globalSetup: ['test/setup/migrated-templates.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default on 2 cores is one worker; most tests wait on child processes, sockets and
    // embedded Postgres I/O, so two run side by side without starving each other.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
