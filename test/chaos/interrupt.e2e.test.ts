import { spawn } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.ts';
import { TEST_DATABASE_URL } from '../helpers/db.ts';

// Ctrl-C (or a SIGTERM) to `npm run chaos` mid-run: its arena process is killed, its emulators and
// proxy closed and its database dropped, and it exits 130 instead of leaving them behind.
describe.runIf(TEST_DATABASE_URL)('an interrupted chaos run', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    'cleans up after %s',
    async (signal) => {
      const run = spawn(
        process.execPath,
        [path.join(REPO_ROOT, 'bin/chaos.js'), '--debates', '1', '--kills', '2', '--seed', '3'],
        {
          cwd: REPO_ROOT,
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '/tmp',
            CHAOS_DATABASE_URL: TEST_DATABASE_URL,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      run.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      run.stderr.on('data', (d: Buffer) => {
        out += d.toString();
      });
      const exited = new Promise<number | null>((resolve) => run.on('close', (code) => resolve(code)));
      const deadline = Date.now() + 120_000;
      while (!/arena process 1 started \(pid \d+\)/.test(out)) {
        if (run.exitCode !== null || Date.now() > deadline)
          throw new Error(`no arena process started:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const arenaPid = Number(/arena process 1 started \(pid (\d+)\)/.exec(out)![1]);
      const database = /database \S+\/(arena_chaos_\w+)/.exec(out)![1]!;
      expect(alive(arenaPid)).toBe(true);

      run.kill(signal);
      expect(await exited, out).toBe(130);
      expect(out).toContain(`chaos: ${signal}: stopping the arena processes and cleaning up`);
      expect(out).toContain(`database ${database} dropped`);
      expect(alive(arenaPid), 'the arena process is gone').toBe(false);
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        const left = await client.query('select datname from pg_database where datname = $1', [database]);
        expect(left.rows).toEqual([]);
      } finally {
        await client.end();
      }
    },
    180_000,
  );
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
