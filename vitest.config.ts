import { defineConfig } from 'vitest/config';
import { LongestFirst } from './test/setup/longest-first.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Once per run: migrated PGlite and Postgres templates that tests copy (test/helpers/db.ts), and the
    // app compiled for child processes (test/helpers/cli.ts).
    globalSetup: ['test/setup/global.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default on 2 cores is one worker; most tests wait on child processes, sockets and
    // embedded Postgres I/O, so two run side by side without starving each other.
    maxWorkers: 2,
    sequence: { sequencer: LongestFirst },
    reporters: ['default'],
  },
});
