import { performance } from 'node:perf_hooks';
import type { DialectName } from '../db/connect.ts';
import { listMessages } from '../db/repositories/debate-messages.ts';
import { createArena } from '../engine/arena.ts';
import { createMemoryBus } from '../engine/bus/memory-bus.ts';
import { systemClock } from '../engine/clock.ts';
import { createPriceTable } from '../engine/llm/pricing.ts';
import { silentLogger } from '../engine/log.ts';
import { builtinCatalog } from '../personas/index.ts';
import { backendCpuDelta } from './backend-cpu.ts';
import { openBenchDatabase } from './database.ts';
import { createBenchLlm } from './fake-llm.ts';
import type { DashboardParts } from './health-server.ts';
import { createMemoryProbe, heldMb, measureWindow } from './measure.ts';
import { memoryOf, perTurn, round, type ScenarioResult } from './result.ts';
import { type DebateScript, scriptOf } from './script.ts';
import { meterDatabase } from './sql-meter.ts';

export interface ArenaBenchOptions {
  rounds: number;
  dialect: DialectName;
  /** Server URL for `dialect: 'postgres'`; a fresh database is created on it and dropped after. */
  postgresUrl?: string | undefined;
  latencyMs: number;
  /**
   * Price the fake model like a small hosted one, so every call takes the budget reservation path
   * (an advisory-locked transaction); unpriced, it is free like a local Ollama model and skips it.
   */
  priced: boolean;
}

export interface ArenaBench {
  /** The shape of the warm-up debate, step by step: what the framework comparison replays. */
  script: DebateScript;
  /** The engine, bus and database of this process: what the app's dashboard is built from. */
  dashboardParts: DashboardParts;
  /** Runs `debates` debates concurrently to completion and measures them. */
  run(debates: number): Promise<ScenarioResult>;
  close(): Promise<void>;
}

export const BENCH_IDEA =
  'A shared grocery list app for flatmates that splits the bill at checkout and learns who buys what';

/**
 * The real engine on a fresh database with the fake model, a memory bus and metered SQL. One
 * unmeasured debate runs first: JIT warm-up and first-query planning stay out of the figures.
 */
export async function createArenaBench(opts: ArenaBenchOptions): Promise<ArenaBench> {
  const database = await openBenchDatabase({ dialect: opts.dialect, postgresUrl: opts.postgresUrl });
  const meter = meterDatabase(database.db);
  const probe = createMemoryProbe();
  // The warm-up runs without model latency; measured runs wait as asked.
  const llm = createBenchLlm({ latencyMs: 0, onCall: probe.sample });
  const bus = createMemoryBus();
  let busCount: Record<string, number> = {};
  let busBytes: Record<string, number> = {};
  let busSelfMs = 0;
  bus.subscribe((event) => {
    const began = performance.now();
    busCount[event.type] = (busCount[event.type] ?? 0) + 1;
    // What a Redis bus would carry: every event as JSON.
    busBytes[event.type] = (busBytes[event.type] ?? 0) + Buffer.byteLength(JSON.stringify(event));
    busSelfMs += performance.now() - began;
  });
  const { arena, runner } = createArena({
    db: meter.db,
    leaseDb: database.leaseDb,
    llm,
    bus,
    clock: systemClock,
    personas: await builtinCatalog(),
    log: silentLogger,
    instanceId: 'bench',
    // Every debate of a scenario runs at once: the runner's capacity queue is not what is measured.
    settings: {
      rounds: opts.rounds,
      maxDebates: 1000,
      budget: { dailyUsd: 1e6, monthlyUsd: 1e7, debateUsd: 1e3 },
    },
    prices: createPriceTable({ overrides: opts.priced ? 'bench:*=0.15/0.6' : 'bench:*=0/0' }),
  });
  const runOne = async () => {
    const { debateId } = await arena.startDebate({
      idea: BENCH_IDEA,
      rounds: opts.rounds,
      lang: 'en',
      origin: 'bench',
    });
    return { debateId, end: await runner.run(debateId) };
  };

  try {
    const first = await runOne();
    if (first.end !== 'completed') throw new Error(`the warm-up debate ended ${first.end}`);
    const script = scriptOf(await listMessages(database.db, first.debateId));
    llm.setLatency(opts.latencyMs);
    // The dashboard reads through the unmetered handle (same pool): its queries stay out of SQL/turn.
    const dashboardParts: DashboardParts = {
      arena,
      bus,
      db: database.db,
      dialect: database.dialect,
      dbHealth: database.health,
    };
    return { script, dashboardParts, run, close: () => database.dispose() };
  } catch (error) {
    await database.dispose();
    throw error;
  }

  async function run(debates: number): Promise<ScenarioResult> {
    meter.reset();
    busCount = {};
    busBytes = {};
    busSelfMs = 0;
    const llmBefore = llm.stats();
    const walBefore = await database.walPosition();
    const backendBefore = (await database.backendCpu?.()) ?? null;
    const { result: runs, window } = await measureWindow(probe, () =>
      Promise.all(Array.from({ length: debates }, runOne)),
    );
    const walAfter = await database.walPosition();
    const backendAfter = (await database.backendCpu?.()) ?? null;
    const retained = heldMb();

    const sqlStats = meter.stats();
    const llmStats = llm.stats();
    const turns = await countMessages(runs.map((r) => r.debateId));
    const fakeMs = llmStats.selfMs - llmBefore.selfMs;
    const meterMs = sqlStats.selfMs + busSelfMs;
    const busMessages = sum(busCount);
    const perDebate: Record<string, number> = {};
    for (const [kind, n] of Object.entries(sqlStats.byKind).sort((a, b) => b[1] - a[1])) {
      perDebate[kind] = round(n / debates, 1);
    }
    const notes: string[] = [];
    if (opts.dialect === 'pglite')
      notes.push('PGlite runs in this process: its CPU and memory are part of the figures.');
    if (opts.dialect === 'postgres')
      notes.push('WAL is server-wide: other sessions on the same server add to it.');
    notes.push(
      opts.priced ? 'priced model: every call reserves budget' : 'free model: budget reservations skipped',
    );
    return {
      system: 'arena',
      store: opts.dialect,
      debates,
      rounds: opts.rounds,
      latencyMs: opts.latencyMs,
      completed: runs.filter((r) => r.end === 'completed').length,
      turns,
      llmCalls: llmStats.calls - llmBefore.calls,
      wallMs: round(window.wallMs, 0),
      turnsPerSec: round(turns / (window.wallMs / 1000), 1),
      cpu: {
        msPerTurn: perTurn(window.cpuMs - fakeMs - meterMs, turns, 3),
        processMsPerTurn: perTurn(window.cpuMs, turns, 3),
        fakeLlmMsPerTurn: perTurn(fakeMs, turns, 3),
        dbBackendMsPerTurn:
          backendBefore && backendAfter
            ? perTurn(backendCpuDelta(backendBefore, backendAfter), turns, 3)
            : null,
        meterMsPerTurn: perTurn(meterMs, turns, 3),
      },
      sql: {
        statementsPerTurn: perTurn(sqlStats.statements, turns),
        transactionsPerTurn: perTurn(sqlStats.transactions, turns),
        writesPerTurn: perTurn(sqlStats.writes, turns),
        writeBytesPerTurn: perTurn(sqlStats.writeParamBytes, turns, 0),
        paramBytesPerTurn: perTurn(sqlStats.paramBytes, turns, 0),
        walBytesPerTurn: perTurn(walAfter - walBefore, turns, 0),
        perDebate,
      },
      state: null,
      bus: {
        messagesPerTurn: perTurn(busMessages, turns),
        bytesPerTurn: perTurn(sum(busBytes), turns, 0),
        byType: busCount,
        bytesByType: busBytes,
      },
      memory: memoryOf(window, debates, retained),
      loopDelayP99Ms: round(window.loopDelayP99Ms, 1),
      loopDelayMaxMs: round(window.loopDelayMaxMs, 1),
      notes,
    };
  }

  async function countMessages(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const row = await database.db
      .selectFrom('debate_messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('session_id', 'in', ids)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

/** One arena scenario on its own fresh database: what the smoke test and a quick run use. */
export async function runArenaBench(opts: ArenaBenchOptions & { debates: number }): Promise<ScenarioResult> {
  const bench = await createArenaBench(opts);
  try {
    return await bench.run(opts.debates);
  } finally {
    await bench.close();
  }
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
