import { createServer, type Socket } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../db/connect.ts';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../helpers/db.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';

if (!TEST_DATABASE_URL)
  console.warn('[skip] TEST_DATABASE_URL is not set: the health probe tests are skipped');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe.runIf(TEST_DATABASE_URL)('database health probe on Postgres', () => {
  let t: TestDatabase;
  let proxy: TcpProxy;
  let handle: DatabaseHandle;

  beforeAll(async () => {
    t = await createTestDatabase('postgres', { migrate: false });
    const target = new URL(TEST_DATABASE_URL!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const url = new URL(t.url!);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    // One pooled connection, so a single slow query saturates the pool.
    handle = await connectDatabase({ databaseUrl: url.toString(), maxConnections: 1, probeIntervalMs: 200 });
  });
  afterAll(async () => {
    await handle?.close();
    await proxy?.close();
    await t?.dispose();
  });

  it('answers from its own connection while the pool is busy', async () => {
    await until('a first probe', () => handle.health().latencyMs !== null, 5_000);
    const busy = sql`select pg_sleep(5)`.execute(handle.db);
    const queued = sql`select 1`.execute(handle.db);
    let poolFree = false;
    void queued.then(() => {
      poolFree = true;
    });
    // Probes counted, not timed: two more answers while the one pooled connection is taken and a
    // query waits for it (the first may have been on its way before the pool filled).
    const checks = new Set<number>([handle.health().checkedAt.getTime()]);
    await until(
      'two probes behind the busy pool',
      () => poolFree || checks.add(handle.health().checkedAt.getTime()).size >= 3,
      30_000,
    );
    expect(poolFree).toBe(false);
    // Answered without a query: a value at hand, not a promise queued behind the pool.
    const h = handle.health();
    expect(h).not.toBeInstanceOf(Promise);
    expect(h.ok).toBe(true);
    expect(h.latencyMs).not.toBeNull();
    await Promise.all([busy, queued]);
  });

  it('turns unhealthy when the server is unreachable and healthy again when it returns', async () => {
    proxy.cut();
    await until('the probe to notice', () => !handle.health().ok, 5_000);
    const down = handle.health();
    expect(down.error).toBeTruthy();
    // Pool queries fail instead of hanging or killing the process.
    await expect(sql`select 1`.execute(handle.db)).rejects.toThrow();
    proxy.restore();
    await until('the probe to recover', () => handle.health().ok, 5_000);
    expect(handle.health().since.getTime()).toBeGreaterThanOrEqual(down.since.getTime());
    const row = await sql<{ one: number }>`select 1 as one`.execute(handle.db);
    expect(row.rows[0]?.one).toBe(1);
  });
});

describe.runIf(TEST_DATABASE_URL)('the Postgres pool under a burst', () => {
  it('keeps a query waiting for a free connection longer than a connect may take, instead of failing it', async () => {
    const t = await createTestDatabase('postgres', { migrate: false });
    // One connection, busy for 6.5 s: the queued query waits past a 5 s connect timeout. pg-pool
    // used to fail it with "timeout exceeded when trying to connect" (its connect timeout bounded the
    // wait in its queue too), which stopped debates in a burst while the server was fine.
    const handle = await connectDatabase({ databaseUrl: t.url!, maxConnections: 1, connectTimeoutMs: 5_000 });
    try {
      const busy = sql`select pg_sleep(6.5)`.execute(handle.db);
      await sleep(100);
      const queued = sql<{ one: number }>`select 1 as one`.execute(handle.db);
      await busy;
      expect((await queued).rows[0]?.one).toBe(1);
    } finally {
      await handle.close();
      await t.dispose();
    }
  }, 60_000);

  it('still bounds the wait: a query gives up after poolWaitMs', async () => {
    const t = await createTestDatabase('postgres', { migrate: false });
    const handle = await connectDatabase({ databaseUrl: t.url!, maxConnections: 1, poolWaitMs: 300 });
    try {
      const busy = sql`select pg_sleep(1.5)`.execute(handle.db);
      await sleep(50);
      await expect(sql`select 1`.execute(handle.db)).rejects.toThrow(/timeout/);
      await busy;
    } finally {
      await handle.close();
      await t.dispose();
    }
  }, 60_000);
});

describe('opening a Postgres connection', () => {
  it('fails after connectTimeoutMs on a server that accepts TCP and never answers', async () => {
    const held = new Set<Socket>();
    const silent = createServer((socket) => held.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      await expect(
        connectDatabase({ databaseUrl: `postgres://arena@127.0.0.1:${port}/arena`, connectTimeoutMs: 300 }),
      ).rejects.toThrow(/timeout/i);
      // The connect reached the server and was given up on, not refused.
      expect(held.size).toBeGreaterThan(0);
    } finally {
      for (const s of held) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe('database health on PGlite', () => {
  it('is healthy while open and unhealthy once closed', async () => {
    const handle = await createTestDatabase('pglite');
    expect(handle.health().ok).toBe(true);
    await handle.close();
    expect(handle.health()).toMatchObject({ ok: false, error: 'database closed' });
  });
});
