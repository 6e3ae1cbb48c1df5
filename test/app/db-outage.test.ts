import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOllamaServer, startOllamaServer } from '../fakes/ollama-server.ts';
import { collect, serverEnv, spawnArena, waitForOutput } from '../helpers/cli.ts';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../helpers/db.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';

if (!TEST_DATABASE_URL)
  console.warn('[skip] TEST_DATABASE_URL is not set: the Postgres outage test is skipped');

const DEBATES = 3;
const OUTAGE_MS = 8_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

// A real `arena start` child on real Postgres, reached through a TCP proxy the test cuts: the
// process must outlive the outage, say DEGRADED meanwhile, and finish every debate by itself.
describe.runIf(TEST_DATABASE_URL)('Postgres going away under a running arena', () => {
  let t: TestDatabase;
  let proxy: TcpProxy;
  let llm: FakeOllamaServer;
  let cwd: string;

  beforeAll(async () => {
    t = await createTestDatabase('postgres');
    const target = new URL(TEST_DATABASE_URL!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    llm = await startOllamaServer({
      models: ['qwen2.5:14b', 'qwen2.5:32b', 'llama3.2:3b'],
      responder: (body) =>
        body.format
          ? JSON.stringify({ score: 7, strengths: ['clear need'], risks: ['churn'], conditions: ['pilot'] })
          : `${body.model} weighs in with a short point.`,
    });
    // Slow enough that turns are in flight whenever the database disappears.
    llm.setChunkDelay(40);
    cwd = await mkdtemp(path.join(tmpdir(), 'arena-outage-'));
  });
  afterAll(async () => {
    await llm?.close();
    await proxy?.close();
    await t?.dispose();
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });

  it('survives terminated backends and an outage, reports DEGRADED, then completes every debate', async () => {
    const url = new URL(t.url!);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    const { env, base } = await serverEnv({
      DATABASE_URL: url.toString(),
      LLM_PROVIDER: 'ollama',
      OLLAMA_HOST: llm.url,
      DEBATE_ROUNDS: '1',
    });
    const child = spawnArena(['start'], { cwd, env });
    const exit = collect(child);
    // The child's last words, for a failure message: why it exited if it did.
    let said = '';
    const hear = (d: Buffer) => {
      said = (said + d.toString()).slice(-4000);
    };
    child.stdout?.on('data', hear);
    child.stderr?.on('data', hear);
    try {
      await waitForOutput(child, /dashboard: http/, 60_000);
      const health = async () => (await fetch(`${base}/api/health`)).json();
      expect(await health()).toMatchObject({ status: 'ok', db: { dialect: 'postgres', ok: true } });

      for (let i = 0; i < DEBATES; i++) {
        const res = await fetch(`${base}/api/debates`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ idea: `outage idea number ${i}`, rounds: 1 }),
        });
        expect(res.status).toBe(201);
      }
      const committed = async () =>
        Number(
          (
            await t.db
              .selectFrom('debate_messages')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirst()
          )?.n ?? 0,
        );
      await until('first turns', async () => ((await committed()) >= DEBATES ? true : undefined), 60_000);

      // 1. The server kills every backend of the app (what a Postgres restart does to open connections).
      const killed = await sql<{ n: number }>`
        select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
        where datname = ${t.schema!} and application_name in ('arena', 'arena-health')`.execute(t.db);
      expect(killed.rows[0]!.n).toBeGreaterThan(0);
      await sleep(1_000);
      expect(child.exitCode, said).toBeNull();

      // 2. The database is unreachable for several seconds.
      const before = await committed();
      proxy.cut();
      const cutAt = Date.now();
      const degraded = await until(
        'health to say degraded',
        async () => {
          const h = await health();
          return h.status === 'degraded' && h.db.ok === false ? h : undefined;
        },
        OUTAGE_MS,
      );
      expect(degraded.components.find((c: { id: string }) => c.id === 'database')).toMatchObject({
        status: 'error',
      });
      // The dashboard header reads system.status from the state snapshot.
      const state = await (await fetch(`${base}/api/state`)).json();
      expect(state.system.status).toBe('degraded');
      // Health answers at once from the probe even while every pooled query is failing.
      const started = performance.now();
      await health();
      expect(performance.now() - started).toBeLessThan(1_000);
      await sleep(Math.max(0, OUTAGE_MS - (Date.now() - cutAt)));
      expect(child.exitCode, said).toBeNull();
      expect(await health()).toMatchObject({ status: 'degraded' });
      proxy.restore();

      // 3. Back: health recovers and every debate completes without anyone's help.
      await until(
        'health to recover',
        async () => ((await health()).status === 'ok' ? true : undefined),
        20_000,
      );
      const finished = await until(
        'every debate to complete',
        async () => {
          const rows = await t.db.selectFrom('debate_sessions').select(['id', 'status']).execute();
          return rows.length === DEBATES && rows.every((r) => r.status === 'completed') ? rows : undefined;
        },
        120_000,
      );
      expect(finished).toHaveLength(DEBATES);
      expect(await committed()).toBeGreaterThan(before);
      // The committed log has no holes and no duplicates in any debate.
      for (const { id } of finished) {
        const turns = await t.db
          .selectFrom('debate_messages')
          .select('turn_index')
          .where('session_id', '=', id)
          .orderBy('turn_index')
          .execute();
        expect(turns.map((r) => r.turn_index)).toEqual(turns.map((_, i) => i));
      }
      expect(child.exitCode, said).toBeNull();
    } finally {
      child.kill('SIGTERM');
    }
    const result = await exit;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/TypeError|unhandled/i);
  }, 300_000);
});
