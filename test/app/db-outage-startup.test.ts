import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDatabaseUnavailable, retryWhileDatabaseDown } from '../../db/outage.ts';
import { startEmulator } from '../discord/arena-world.ts';
import type { DiscordEmulator } from '../emulators/discord/index.ts';
import { collect, serverEnv, spawnArena, waitForOutput } from '../helpers/cli.ts';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../helpers/db.ts';

if (!TEST_DATABASE_URL)
  console.warn('[skip] TEST_DATABASE_URL is not set: the start-up outage test runs on Postgres only');

describe('telling a database outage from other failures', () => {
  it('recognises a restart, a cut and a refused connection, not a wrong query', () => {
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toBe(
      true,
    );
    expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code: '08006' }))).toBe(true);
    // Kysely's word for a connection that broke inside a transaction.
    expect(isDatabaseUnavailable(new Error('Postgres connection has been discarded'))).toBe(true);
    expect(
      isDatabaseUnavailable(new AggregateError([Object.assign(new Error('c'), { code: 'ECONNREFUSED' })])),
    ).toBe(true);
    expect(
      isDatabaseUnavailable(
        new Error('wrapped', { cause: Object.assign(new Error('r'), { code: 'ECONNRESET' }) }),
      ),
    ).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('syntax error'), { code: '42601' }))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError('Cannot read properties of undefined'))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });

  it('retries while the database is away, once it answers returns, and rethrows anything else', async () => {
    const warnings: string[] = [];
    let calls = 0;
    const value = await retryWhileDatabaseDown(
      'step',
      async () => {
        calls++;
        if (calls < 4) throw new Error('Connection terminated unexpectedly');
        return 'done';
      },
      { warn: (m) => warnings.push(m), sleep: async () => {} },
    );
    expect(value).toBe('done');
    expect(calls).toBe(4);
    // Said once per outage, not once per attempt.
    expect(warnings).toHaveLength(1);
    await expect(
      retryWhileDatabaseDown(
        'step',
        async () => {
          throw new Error('relation "x" does not exist');
        },
        { warn: () => {}, sleep: async () => {} },
      ),
    ).rejects.toThrow(/relation/);
  });
});

// `arena start` on Postgres whose backends are terminated again and again while it starts —
// migrations, sealing secrets, resuming chat threads, the job schedule — must wait each outage out
// and come up whole, never exit (it used to: "arena: failed: Connection terminated unexpectedly").
describe.runIf(TEST_DATABASE_URL)('Postgres restarting while arena start is starting', () => {
  let t: TestDatabase;
  let emu: DiscordEmulator;
  beforeAll(async () => {
    t = await createTestDatabase('postgres', { migrate: false });
    emu = await startEmulator();
  });
  afterAll(async () => {
    await emu?.close();
    await t?.dispose();
  });

  it('comes up with every part running, however often its connections are killed meanwhile', async () => {
    const { env, base } = await serverEnv({
      DATABASE_URL: t.url!,
      ARENA_SECRET_KEY: 'a-test-key-of-enough-length',
      DISCORD_TOKEN: emu.token,
      DISCORD_APPLICATION_ID: emu.seed.applicationId,
      DISCORD_API_URL: emu.apiUrl,
    });
    const child = spawnArena(['start'], { env });
    const exit = collect(child);
    let terminated = 0;
    let killing = true;
    // What a Postgres restart does to open connections, every quarter second until the start is done.
    const killer = (async () => {
      const started = Date.now();
      while (killing && Date.now() - started < 60_000) {
        const r = await sql<{ n: number }>`
          select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
          where datname = ${t.schema!} and application_name in ('arena', 'arena-health')`.execute(t.db);
        terminated += r.rows[0]!.n;
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    try {
      // The last line of a start: the job schedule is in place.
      await waitForOutput(child, /jobs: (scheduled|scheduling off)/, 240_000).finally(() => {
        killing = false;
      });
      await killer;
      expect(terminated).toBeGreaterThan(0);
      expect(child.exitCode).toBeNull();
      const health = async () => (await fetch(`${base}/api/health`)).json();
      let h = await health();
      for (let i = 0; i < 120 && h.status !== 'ok'; i++) {
        await new Promise((r) => setTimeout(r, 500));
        h = await health();
      }
      expect(h).toMatchObject({ status: 'ok', db: { dialect: 'postgres', ok: true } });
      // Discord started despite the outages (a failed start used to leave it down for good).
      expect(h.components.find((c: { id: string }) => c.id === 'discord')).toMatchObject({
        status: 'running',
      });
      expect(child.exitCode).toBeNull();
    } finally {
      killing = false;
      child.kill('SIGTERM');
    }
    const result = await exit;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/arena: failed|TypeError|unhandled/i);
  }, 300_000);
});
