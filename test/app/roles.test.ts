import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, collect, runArena, serverEnv, spawnArena, waitForOutput } from '../helpers/cli.ts';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../helpers/db.ts';

// `arena start --role all|web|bot|worker`: the split is refused where it cannot work (embedded
// PGlite is one process) and, on Postgres, a web process and a worker process share the debates.

describe('arena start --role: refusals', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'arena-roles-'));
  });
  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it('refuses a split role on embedded PGlite before opening anything', async () => {
    const r = await runArena(['start', '--role', 'bot'], { cwd, env: cleanEnv({ DATA_DIR: 'data' }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--role bot needs DATABASE_URL/);
    expect(r.stderr).toMatch(/PGlite/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(path.join(cwd, 'data'))).toBe(false);
  });

  it('refuses the same through ARENA_ROLE', async () => {
    const r = await runArena(['start'], { cwd, env: cleanEnv({ DATA_DIR: 'data', ARENA_ROLE: 'worker' }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--role worker needs DATABASE_URL/);
  });

  it('names the choices for an unknown role, from the flag or the environment', async () => {
    const flag = await runArena(['start', '--role', 'sideways'], {
      cwd,
      env: cleanEnv({ DATA_DIR: 'data' }),
    });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--role: expected one of all, web, bot, worker \(got "sideways"\)/);
    const env = await runArena(['start'], { cwd, env: cleanEnv({ DATA_DIR: 'data', ARENA_ROLE: 'boss' }) });
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/ARENA_ROLE: expected one of all, web, bot, worker/);
    expect(existsSync(path.join(cwd, 'data'))).toBe(false);
  });
});

if (!TEST_DATABASE_URL)
  console.warn('[skip] TEST_DATABASE_URL is not set: the web + worker split is skipped');

describe.runIf(TEST_DATABASE_URL)('arena start --role web and --role worker on one Postgres', () => {
  let t: TestDatabase;
  let cwd: string;
  beforeAll(async () => {
    t = await createTestDatabase('postgres');
    cwd = await mkdtemp(path.join(tmpdir(), 'arena-roles-pg-'));
  });
  afterAll(async () => {
    await t?.dispose();
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });

  it('a debate started on the web process runs on the worker; the web process runs none', async () => {
    const server = await serverEnv({ DATABASE_URL: t.url!, DEBATE_ROUNDS: '1', JOBS: 'off' });
    const env = (role: string) => ({ ...server.env, ARENA_ROLE: role });
    const { base } = server;
    const web = spawnArena(['start'], { cwd, env: env('web') });
    const webExit = collect(web);
    const worker = spawnArena(['start', '--role', 'worker'], { cwd, env: env('web') });
    const workerExit = collect(worker);
    try {
      const [, workerOut] = await Promise.all([
        waitForOutput(web, /ready: role web/, 120_000),
        waitForOutput(worker, /ready: role worker/, 120_000),
      ]);
      // The flag wins over ARENA_ROLE; a worker serves no dashboard.
      expect(workerOut).not.toMatch(/dashboard: http/);
      const health = await (await fetch(`${base}/api/health`)).json();
      expect(health.components.find((c: { id: string }) => c.id === 'engine')).toMatchObject({
        status: 'disabled',
      });
      const res = await fetch(`${base}/api/debates`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ idea: 'a shared tool library for a street', rounds: 1 }),
      });
      expect(res.status).toBe(201);
      const deadline = Date.now() + 180_000;
      let row: { status: string; lease_owner: string | null } | undefined;
      // Which process drove it: the lease owner is `<host>:<pid>` of the worker while it runs.
      const owners = new Set<string>();
      for (;;) {
        row = await t.db.selectFrom('debate_sessions').select(['status', 'lease_owner']).executeTakeFirst();
        if (row?.lease_owner) owners.add(row.lease_owner);
        if (row?.status === 'completed' || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(row?.status).toBe('completed');
      expect([...owners].every((o) => o.endsWith(`:${worker.pid}`))).toBe(true);
      const messages = await t.db
        .selectFrom('debate_messages')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(messages.n)).toBeGreaterThan(3);
    } finally {
      web.kill('SIGTERM');
      worker.kill('SIGTERM');
    }
    const [w, k] = await Promise.all([webExit, workerExit]);
    expect(w.code, w.stderr).toBe(0);
    expect(k.code, k.stderr).toBe(0);
  }, 300_000);
});
