import { configDefaults, defineConfig } from 'vitest/config';
import { LongestFirst } from './test/setup/longest-first.ts';

// Files that only call code in this process: no database, server, child process, browser, timers or
// environment they change. They run in a shared worker (`isolate: false`) instead of a new process per
// file each re-importing the engine (~0.4 s of CPU a file). A file that starts anything, mocks a module
// or touches process-wide state belongs in `integration`, the default for any file not listed.
const UNIT = [
  'test/bot/command-options.test.ts',
  'test/bot/preview-gate.test.ts',
  'test/bot/split-text.test.ts',
  'test/chaos/check.test.ts',
  'test/dashboard/event-hub.test.ts',
  'test/discord/username.test.ts',
  'test/engine/planner-loaded.test.ts',
  'test/engine/planner.test.ts',
  'test/engine/prompts.test.ts',
  'test/llm/offline.test.ts',
  'test/llm/ollama.test.ts',
  'test/llm/openai.test.ts',
  'test/llm/pricing.test.ts',
  'test/llm/select.test.ts',
  'test/personas/avatar.test.ts',
  'test/personas/catalog.test.ts',
  'test/personas/cli.test.ts',
  'test/personas/load.test.ts',
  'test/personas/personality.test.ts',
  'test/personas/prompt.test.ts',
  'test/router/describe.test.ts',
  'test/router/error-resume.test.ts',
  'test/router/router-replay.test.ts',
  'test/security/config-redaction.test.ts',
  'test/security/feeds-and-files.test.ts',
  'test/security/parsers.test.ts',
  'test/security/prompt-injection.test.ts',
  'test/security/sanitize.test.ts',
  'test/signals/feeds-file.test.ts',
  'test/slack/manifest.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default on 2 cores is one worker; most tests wait on child processes, sockets and
    // embedded Postgres I/O, so two run side by side without starving each other.
    maxWorkers: 2,
    sequence: { sequencer: LongestFirst },
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: UNIT, isolate: false },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...UNIT],
          // Once per run: migrated PGlite and Postgres templates that tests copy (test/helpers/db.ts),
          // and the app compiled for child processes (test/helpers/cli.ts).
          globalSetup: ['test/setup/global.ts'],
        },
      },
    ],
  },
});
