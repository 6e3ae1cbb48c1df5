import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, serverEnv, waitForOutput } from '../helpers/cli.ts';
import { createAppDatabase, type TestDatabase } from '../helpers/db.ts';

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

// What `timeout`, supervisors and IDE stop buttons do: SIGTERM to the `npm start` launcher.
describe('npm start', { timeout: 120_000 }, () => {
  let dataDir: string;
  let pg: TestDatabase | undefined;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'arena-npm-start-'));
    // A migrated database: creating an embedded one takes many seconds.
    pg = await createAppDatabase(dataDir);
  });
  afterAll(async () => {
    await pg?.dispose();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('passes SIGTERM on to the arena, which stops and frees its port and database', async () => {
    const { env, port } = await serverEnv({
      DATA_DIR: dataDir,
      ...(pg?.url ? { DATABASE_URL: pg.url } : {}),
    });
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so the test can clean up whatever a failure leaves behind.
      detached: true,
    });
    const exited = new Promise((resolve) => npm.once('exit', resolve));
    try {
      await waitForOutput(npm, /dashboard: http/, 90_000);
      expect(await listening(port)).toBe(true);
      npm.kill('SIGTERM');
      await exited;
      // Nothing is left behind holding the port (and with it the embedded database's lock).
      let held = true;
      for (let i = 0; i < 50 && held; i++) {
        held = await listening(port);
        if (held) await new Promise((r) => setTimeout(r, 200));
      }
      expect(held).toBe(false);
    } finally {
      try {
        process.kill(-npm.pid!, 'SIGKILL');
      } catch {
        // The group is gone: nothing was left behind.
      }
    }
  });
});
