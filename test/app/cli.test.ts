import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, collect, REPO_ROOT, runArena, spawnArena, waitForOutput } from '../helpers/cli.ts';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../helpers/db.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

// Each case starts one or more `arena` processes, each booting embedded Postgres: slow on a busy machine.
describe('arena CLI', { timeout: 240_000 }, () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'arena-cli-'));
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  it('lists its commands with --help', async () => {
    const r = await runArena(['--help'], { cwd });
    expect(r.code).toBe(0);
    for (const cmd of ['start', 'migrate', 'db']) expect(r.stdout).toContain(cmd);
  });

  it('exits 2 naming the variable on a bad DASHBOARD_PORT', async () => {
    const r = await runArena(['start'], { cwd, env: cleanEnv({ DASHBOARD_PORT: 'eighty' }) });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('DASHBOARD_PORT');
  });

  it('exits 2 naming the variable on a malformed DATABASE_URL, without echoing a password', async () => {
    const r = await runArena(['migrate'], {
      cwd,
      env: cleanEnv({ DATABASE_URL: 'mysql://me:hunter2@db/x' }),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('DATABASE_URL');
    expect(r.stderr).not.toContain('hunter2');
  });

  it('refuses to start with exit 2 naming the file and field of a bad persona file', async () => {
    const dir = path.join(REPO_ROOT, 'test/fixtures/personas/bad-axis');
    const r = await runArena(['start'], { cwd, env: cleanEnv({ PERSONAS_DIR: dir }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('happy.yaml');
    expect(r.stderr).toContain('personality.thinking');
    expect(existsSync(path.join(cwd, 'data'))).toBe(false);
  });

  it('exits 2 on an unknown command', async () => {
    const r = await runArena(['frobnicate'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('frobnicate');
  });

  it('migrates embedded PGlite once; the second migrate is a no-op; db status tells the dialect', async () => {
    const env = cleanEnv({ DATA_DIR: path.join(cwd, 'mig') });
    const first = await runArena(['migrate'], { cwd, env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/applied \d+ migration/);
    const second = await runArena(['migrate'], { cwd, env });
    expect(second.stdout).toContain('up to date');
    const status = await runArena(['db', 'status', '--json'], { cwd, env });
    const parsed = JSON.parse(status.stdout);
    expect(parsed.dialect).toBe('pglite');
    expect(parsed.migrations.every((m: { executedAt: string | null }) => m.executedAt)).toBe(true);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)(
    'start with no environment serves /api/health from ./data/pglite and stops on %s (twice in a row)',
    async (signal) => {
      for (let run = 0; run < 2; run++) {
        // The cases share `cwd`: only the very first start creates the database.
        const fresh = !existsSync(path.join(cwd, 'data/pglite'));
        const port = await freePort();
        const child = spawnArena(['start'], { cwd, env: cleanEnv({ DASHBOARD_PORT: String(port) }) });
        const done = collect(child);
        try {
          // A first start creates the database in a child process (db/connect.ts): slow on a busy machine.
          await waitForOutput(child, /dashboard: http/, 180_000);
          expect(existsSync(path.join(cwd, 'data/pglite'))).toBe(true);
          const health = await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.json());
          expect(health).toMatchObject({ db: { dialect: 'pglite' } });
        } finally {
          // Whatever happened above, the child goes: a leftover would hold the data dir.
          child.kill(signal);
        }
        const result = await done;
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).toContain('stopped');
        const said = result.stdout + result.stderr;
        // A first start says what it is doing during the long silent part (creating and migrating).
        if (fresh) {
          expect(said).toContain('creating the embedded database');
          expect(said.indexOf('creating the embedded database')).toBeLessThan(
            said.indexOf('dashboard: http'),
          );
        }
        // The address once: not also a `dashboard listening` line.
        expect(said.match(/dashboard(: http| listening)/g)).toHaveLength(1);
      }
    },
  );

  it.runIf(TEST_DATABASE_URL)('migrates a real Postgres given DATABASE_URL', async () => {
    const t: TestDatabase = await createTestDatabase('postgres', { migrate: false });
    try {
      const env = cleanEnv({ DATABASE_URL: t.url! });
      const first = await runArena(['migrate'], { cwd, env });
      expect(first.code, first.stderr).toBe(0);
      const again = await runArena(['migrate'], { cwd, env });
      expect(again.stdout).toContain('up to date');
      const status = JSON.parse((await runArena(['db', 'status', '--json'], { cwd, env })).stdout);
      expect(status.dialect).toBe('postgres');
    } finally {
      await t.dispose();
    }
  });
});
