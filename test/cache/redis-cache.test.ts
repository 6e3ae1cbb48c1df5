import {
  DummyDriver,
  Kysely,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
} from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHealth } from '../../app/health.ts';
import { processComponents } from '../../app/process-components.ts';
import { createDashboard } from '../../dashboard/server.ts';
import type { Dashboard } from '../../dashboard/types.ts';
import { windowUpsert } from '../../db/repositories/budget.ts';
import { insertIdea } from '../../db/repositories/ideas.ts';
import type { Database } from '../../db/schema.ts';
import { writtenTables } from '../../db/write-watch.ts';
import { createMemoryBus } from '../../engine/bus/memory-bus.ts';
import { withCachedReads } from '../../engine/cache/cached-arena.ts';
import { WATCHED_TABLES } from '../../engine/cache/keys.ts';
import { createRedisCache } from '../../engine/cache/redis-cache.ts';
import type { Cache } from '../../engine/cache/types.ts';
import { invalidateOnWrite } from '../../engine/cache/watch-writes.ts';
import type { Logger } from '../../engine/log.ts';
import { createHarness } from '../engine/harness.ts';
import { createTestDatabase, TEST_REDIS_URL, type TestDatabase, testDialects } from '../helpers/db.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';

const dummy = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});
const tablesOf = (q: { toOperationNode(): unknown }) =>
  [...writtenTables(q.toOperationNode() as never, WATCHED_TABLES)].sort();

describe('which tables a query writes', () => {
  it('names the written tables of builder and raw writes, and none for reads', () => {
    expect(tablesOf(dummy.selectFrom('ideas').selectAll())).toEqual([]);
    expect(
      tablesOf(dummy.insertInto('ideas').values({ title: 't', summary: 's', source_type: 'x' })),
    ).toEqual(['ideas']);
    expect(tablesOf(dummy.updateTable('signals').set({ score: 1 }))).toEqual(['signals']);
    expect(tablesOf(dummy.deleteFrom('trends'))).toEqual(['trends']);
    // Raw SQL with the write in a nested fragment (holdBudget's shape).
    expect(
      tablesOf(sql`with w as (${windowUpsert({ now: new Date(), holdUsd: 1 })} returning 1) select 1`),
    ).toEqual(['budget_windows']);
    expect(tablesOf(sql`select count(*) from signals`)).toEqual([]);
    // A table the cache does not read is not named.
    expect(tablesOf(dummy.insertInto('job_runs').values({} as never))).toEqual([]);
  });
});

interface Logged {
  level: string;
  message: string;
}
function recordingLogger(lines: Logged[]): Logger {
  const log: Logger = {
    debug: (message) => lines.push({ level: 'debug', message }),
    info: (message) => lines.push({ level: 'info', message }),
    warn: (message) => lines.push({ level: 'warn', message }),
    error: (message) => lines.push({ level: 'error', message }),
    child: () => log,
  };
  return log;
}

/** Counts every statement sent to the database. */
function queryCounter(): KyselyPlugin & { count: number } {
  const counter = {
    count: 0,
    transformQuery(args: PluginTransformQueryArgs) {
      counter.count++;
      return args.node;
    },
    async transformResult(args: PluginTransformResultArgs) {
      return args.result;
    },
  };
  return counter;
}

const open: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (open.length) await open.pop()!().catch(() => {});
});

async function world(dialect: 'pglite' | 'postgres', opts: { redisUrl?: string } = {}) {
  const t: TestDatabase = await createTestDatabase(dialect);
  open.push(() => t.dispose());
  const lines: Logged[] = [];
  const cache: Cache = await createRedisCache({
    url: opts.redisUrl ?? TEST_REDIS_URL!,
    prefix: `test:${process.pid}:${Math.random().toString(36).slice(2)}:`,
    log: recordingLogger(lines),
    commandTimeoutMs: 3000,
  });
  open.push(() => cache.close());
  const counter = queryCounter();
  const unwatch = invalidateOnWrite(t.writes, cache);
  open.push(async () => unwatch());
  const db = t.db.withPlugin(counter);
  const engine = await createHarness(db);
  open.push(() => engine.runner.stop());
  // The PROCESSES panel's cache row, as `arena start` builds it (app/main.ts).
  const health = createHealth(engine.clock);
  health.set({ id: 'cache', name: 'Cache', kind: 'service', status: 'running', detail: 'Redis' });
  const arena = withCachedReads(engine.arena, cache);
  const dashboard: Dashboard = createDashboard({
    arena,
    cache,
    bus: createMemoryBus(),
    db,
    config: {
      host: '127.0.0.1',
      port: 0,
      publicUrl: 'http://127.0.0.1:3000',
      version: 'test',
      codename: 'test',
      dialect,
    },
    components: () => processComponents({ health, cache } as Parameters<typeof processComponents>[0]),
    log: recordingLogger([]),
    clock: { now: () => new Date() },
  });
  open.push(() => dashboard.close());
  const get = async (path: string) => {
    const res = await dashboard.handle(new Request(`http://127.0.0.1:3000${path}`));
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, unknown>;
  };
  /** The statements one request sent to the database. */
  const queriesOf = async (path: string) => {
    const before = counter.count;
    const body = await get(path);
    return { body, queries: counter.count - before };
  };
  const addIdea = (title: string, on: Kysely<Database> = db) =>
    insertIdea(on, { title, summary: title, source_type: 'traditional' });
  const titles = (body: Record<string, unknown>) =>
    (body.ideas as Array<{ title: string }>).map((i) => i.title);
  /** `arena_cache_reads_total` of /metrics, as `group/result` → count. */
  const cacheReads = async () => {
    const res = await dashboard.handle(new Request('http://127.0.0.1:3000/metrics'));
    const out: Record<string, number> = {};
    for (const m of (await res.text()).matchAll(
      /^arena_cache_reads_total\{group="(\w+)",result="(\w+)"\} (\d+)$/gm,
    ))
      out[`${m[1]}/${m[2]}`] = Number(m[3]);
    return out;
  };
  /** The PROCESSES panel's cache line (`/api/state`). */
  const cacheRow = async () =>
    ((await get('/api/state')).components as Array<{ id: string; detail: string; status: string }>).find(
      (c) => c.id === 'cache',
    );
  await cache.settled();
  return {
    t,
    db,
    cache,
    arena,
    lines,
    get,
    queriesOf,
    addIdea,
    titles,
    cacheReads,
    cacheRow,
    clock: engine.clock,
  };
}

describe.skipIf(!TEST_REDIS_URL).each(testDialects())('Redis cache on %s', (dialect) => {
  it('answers a repeated read from Redis without touching the database', async () => {
    const w = await world(dialect);
    await w.addIdea('Cached idea one');
    // The write's invalidation reaches Redis before the first read below.
    await w.cache.settled();
    for (const path of ['/api/ideas', '/api/budget', '/api/signals', '/api/trends', '/api/personas']) {
      expect((await w.queriesOf(path)).queries, path).toBeGreaterThan(0);
      expect((await w.queriesOf(path)).queries, path).toBe(0);
    }
    expect(w.titles((await w.get('/api/ideas')) as never)).toContain('Cached idea one');
    // `/arena budget` reads the same cached snapshot.
    const before = (await w.queriesOf('/api/budget')).body.budget;
    expect(await w.arena.budget()).toEqual(before);
  }, 60_000);

  it('drops a cached read when its table is written, by any writer', async () => {
    const w = await world(dialect);
    await w.get('/api/ideas');
    expect((await w.queriesOf('/api/ideas')).queries).toBe(0);
    await w.addIdea('Written after the first read');
    const after = await w.queriesOf('/api/ideas');
    expect(after.queries).toBeGreaterThan(0);
    expect(w.titles(after.body)).toContain('Written after the first read');

    // Spending (raw SQL, the way a turn's commit writes it) invalidates the budget.
    const first = (await w.get('/api/budget')).budget as { day: { spentUsd: number } };
    await windowUpsert({ now: w.clock.now(), spentUsd: 1.5, tokens: 10 }).execute(w.db);
    const second = (await w.arena.budget()) as { day: { spentUsd: number } };
    expect(second.day.spentUsd).toBeCloseTo(first.day.spentUsd + 1.5, 5);
    await w.cache.settled();
    await w.get('/api/budget');
    expect((await w.queriesOf('/api/budget')).queries).toBe(0);
  }, 60_000);

  it.runIf(dialect === 'pglite')(
    'counts hits, misses and errors per cache group in /metrics and the PROCESSES cache row',
    async () => {
      const w = await world(dialect);
      const zero = await w.cacheReads();
      // Every group is there, whether read yet or not.
      expect(Object.keys(zero).sort()).toEqual(
        ['agents', 'budget', 'debates', 'ideas', 'signals', 'trends'].flatMap((g) =>
          ['error', 'hit', 'miss'].map((r) => `${g}/${r}`),
        ),
      );
      expect(zero['trends/miss']).toBe(0);
      const delta = async (path: string) => {
        const before = await w.cacheReads();
        await w.get(path);
        const after = await w.cacheReads();
        return Object.fromEntries(
          Object.entries(after)
            .map(([k, n]) => [k, n - (before[k] ?? 0)] as const)
            // /metrics reads the budget itself.
            .filter(([k, d]) => d !== 0 && !k.startsWith('budget/')),
        );
      };
      // /api/trends reads one cached value (trends:latest): a miss, then a hit.
      expect(await delta('/api/trends')).toEqual({ 'trends/miss': 1 });
      expect(await delta('/api/trends')).toEqual({ 'trends/hit': 1 });
      // /api/ideas reads two (the list and the counts): both miss, then both hit.
      expect(await delta('/api/ideas')).toEqual({ 'ideas/miss': 2 });
      expect(await delta('/api/ideas')).toEqual({ 'ideas/hit': 2 });
      // A committed write to ideas: the next reads miss again.
      await w.addIdea('Counted');
      await w.cache.settled();
      expect(await delta('/api/ideas')).toEqual({ 'ideas/miss': 2 });
      // The PROCESSES line counts the same reads (it is read between two /metrics scrapes).
      const sum = (counts: Record<string, number>, r: string) =>
        Object.entries(counts).reduce((n, [k, v]) => n + (k.endsWith(`/${r}`) ? v : 0), 0);
      const before = await w.cacheReads();
      const row = await w.cacheRow();
      const after = await w.cacheReads();
      const m = row?.detail.match(/^Redis · (\d+)% hits \((\d+) hits, (\d+) misses, (\d+) errors\)$/);
      expect(m, row?.detail).toBeTruthy();
      const [pct, hits, misses, errors] = m!.slice(1).map(Number) as [number, number, number, number];
      expect(hits).toBeGreaterThanOrEqual(sum(before, 'hit'));
      expect(hits).toBeLessThanOrEqual(sum(after, 'hit'));
      expect(misses).toBeGreaterThanOrEqual(sum(before, 'miss'));
      expect(misses).toBeLessThanOrEqual(sum(after, 'miss'));
      expect(errors).toBe(0);
      expect(pct).toBe(Math.round((100 * hits) / (hits + misses)));
    },
    60_000,
  );

  it('serves nothing stale after a transaction that commits long after its last statement', async () => {
    const w = await world(dialect);
    await w.get('/api/ideas');
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let written!: () => void;
    const insertDone = new Promise<void>((r) => {
      written = r;
    });
    const tx = w.db.transaction().execute(async (trx) => {
      await w.addIdea('Committed later', trx);
      written();
      await held;
    });
    await insertDone;
    // Idle in the transaction for longer than the old second invalidation (1 s after the last write).
    await new Promise((r) => setTimeout(r, 1500));
    if (dialect === 'postgres') {
      // Another writer commits meanwhile, so the next read loads the list between the transaction's
      // statement and its commit (PGlite has one connection: the write would wait for the commit).
      await w.addIdea('Committed meanwhile');
      const during = await w.queriesOf('/api/ideas');
      expect(during.queries).toBeGreaterThan(0);
      expect(w.titles(during.body)).toContain('Committed meanwhile');
    }
    // Uncommitted rows are not shown, and the list read now is cached.
    const cached = await w.queriesOf('/api/ideas');
    expect(w.titles(cached.body)).not.toContain('Committed later');
    expect(cached.queries).toBe(0);
    release();
    await tx;
    // At once after the commit (no waiting for a delayed invalidation or the TTL).
    const after = await w.queriesOf('/api/ideas');
    expect(after.queries).toBeGreaterThan(0);
    expect(w.titles(after.body)).toContain('Committed later');
    expect((await w.queriesOf('/api/ideas')).queries).toBe(0);
  }, 60_000);

  it('keeps the cache of a rolled-back transaction', async () => {
    const w = await world(dialect);
    await w.get('/api/ideas');
    await expect(
      w.db.transaction().execute(async (trx) => {
        await w.addIdea('Rolled back', trx);
        throw new Error('give up');
      }),
    ).rejects.toThrow('give up');
    await w.cache.settled();
    const r = await w.queriesOf('/api/ideas');
    expect(r.queries).toBe(0);
    expect(w.titles(r.body)).not.toContain('Rolled back');
  }, 60_000);
});

describe.skipIf(!TEST_REDIS_URL)('Redis cache when Redis goes away', () => {
  let proxy: TcpProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  it('answers from the database during the outage, logs it once, and recovers with nothing stale', async () => {
    const target = new URL(TEST_REDIS_URL!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    // ioredis prints `[ioredis] Unhandled error event` here for a client without an error listener.
    const complaints = vi.spyOn(console, 'error').mockImplementation(() => {});
    const w = await world('pglite', { redisUrl: `redis://127.0.0.1:${proxy.port}` });
    await w.addIdea('Before the outage');
    await w.cache.settled();
    await w.get('/api/ideas');
    expect((await w.queriesOf('/api/ideas')).queries).toBe(0);

    proxy.cut();
    // A write whose invalidation cannot reach Redis.
    await w.addIdea('During the outage');
    for (let i = 0; i < 3; i++) {
      const r = await w.queriesOf('/api/ideas');
      expect(r.queries).toBeGreaterThan(0);
      expect(w.titles(r.body)).toContain('During the outage');
      expect((await w.queriesOf('/api/budget')).queries).toBeGreaterThan(0);
    }
    await expect.poll(() => w.lines.filter((l) => l.level === 'warn').length, { timeout: 10_000 }).toBe(1);
    // Each read during the outage was answered by the database and counted as an error of its group.
    const during = await w.cacheReads();
    expect(during['ideas/error']).toBeGreaterThanOrEqual(6);
    expect(during['budget/error']).toBeGreaterThanOrEqual(3);
    expect((await w.cacheRow())?.detail).toMatch(/\d+ errors\)$/);
    expect(w.lines.find((l) => l.level === 'warn')?.message).toMatch(/cache: Redis unreachable/);

    proxy.restore();
    await expect
      .poll(() => w.lines.some((l) => /cache: Redis is back/.test(l.message)), { timeout: 20_000 })
      .toBe(true);
    // Still one warning for the whole outage, however often ioredis retried.
    expect(w.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    // The list cached before the outage was dropped: the outage's write shows.
    const back = await w.queriesOf('/api/ideas');
    expect(w.titles(back.body)).toContain('During the outage');
    expect((await w.queriesOf('/api/ideas')).queries).toBe(0);
    // Back: reads count as hits and misses again, not errors.
    const back2 = await w.cacheReads();
    await w.get('/api/ideas');
    const after = await w.cacheReads();
    expect(after['ideas/hit']).toBe(back2['ideas/hit']! + 2);
    expect(after['ideas/error']).toBe(back2['ideas/error']);
    expect(complaints).not.toHaveBeenCalled();
    complaints.mockRestore();
  }, 90_000);
});

if (!TEST_REDIS_URL) console.warn('[skip] TEST_REDIS_URL is not set: the Redis cache tests are skipped');
