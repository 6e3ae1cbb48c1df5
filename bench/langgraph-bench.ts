import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { adminExecute, databaseUrl } from '../db/admin.ts';
import { builtinCatalog } from '../personas/index.ts';
import { BENCH_IDEA } from './arena-bench.ts';
import { backendCpu, backendCpuDelta } from './backend-cpu.ts';
import { createBenchLlm } from './fake-llm.ts';
import { BenchChatModel } from './langgraph/chat-model.ts';
import { buildDebateGraph, initialState } from './langgraph/debate-graph.ts';
import { buildLeanGraph } from './langgraph/lean-graph.ts';
import { MeteredMemorySaver } from './langgraph/metered-saver.ts';
import { NODES } from './langgraph/steps.ts';
import { createMemoryProbe, heldMb, measureWindow } from './measure.ts';
import { memoryOf, perTurn, round, type ScenarioResult } from './result.ts';
import { callsOf, type DebateScript } from './script.ts';

export interface LangGraphBenchOptions {
  /**
   * 'langgraph': LangChain chat model, messages state, streamMode 'messages', MemorySaver;
   * 'langgraph-postgres': the same graph checkpointed durably by PostgresSaver (needs `postgresUrl`);
   * 'langgraph-lean': plain objects, custom stream, MemorySaver.
   */
  variant: 'langgraph' | 'langgraph-postgres' | 'langgraph-lean';
  /** A server where a database may be created, for 'langgraph-postgres'. */
  postgresUrl?: string | undefined;
  latencyMs: number;
  /** The arena debate's exact sequence of steps, replayed as graph nodes. */
  script: DebateScript;
  rounds: number;
}

export interface LangGraphBench {
  /** Runs `debates` debates concurrently, each a thread of one fresh MemorySaver, and measures them. */
  run(debates: number): Promise<ScenarioResult>;
  /** Drops the database a PostgresSaver wrote to. */
  close(): Promise<void>;
}

/** The same debates in LangGraph; one unmeasured debate runs first, as for the arena. */
export async function createLangGraphBench(opts: LangGraphBenchOptions): Promise<LangGraphBench> {
  const personas = new Map((await builtinCatalog()).map((p) => [p.id, p]));
  const probe = createMemoryProbe();
  // The warm-up runs without model latency; measured runs wait as asked.
  const llm = createBenchLlm({ latencyMs: 0, onCall: probe.sample });
  const lean = opts.variant === 'langgraph-lean';
  const durable = opts.variant === 'langgraph-postgres' ? await openSaverDatabase(opts.postgresUrl) : null;
  const build = (saver: BaseCheckpointSaver) =>
    lean
      ? buildLeanGraph({ llm, script: opts.script, personas, checkpointer: saver })
      : buildDebateGraph({
          model: new BenchChatModel(llm),
          script: opts.script,
          personas,
          checkpointer: saver,
        });
  // Two supersteps per scripted step is far more than a debate needs.
  const recursionLimit = opts.script.length * 2 + 10;
  const streamMode = lean ? ['custom', 'updates'] : ['messages', 'updates'];

  let streamCount: Record<string, number> = {};
  let streamBytes = 0;
  let meterMs = 0;
  const runOne = async (graph: ReturnType<typeof build>, threadId: string): Promise<boolean> => {
    const input = lean ? { idea: BENCH_IDEA, step: 0, outcome: null } : initialState(BENCH_IDEA);
    // The two graphs' state types differ; the call is the same for both.
    const stream = await graph.stream(
      input as never,
      { configurable: { thread_id: threadId }, streamMode, recursionLimit } as never,
    );
    let done = false;
    for await (const [mode, chunk] of stream as AsyncIterable<[string, unknown]>) {
      const began = performance.now();
      streamCount[mode] = (streamCount[mode] ?? 0) + 1;
      // What a viewer would be sent, shaped like the arena's events.
      streamBytes += Buffer.byteLength(JSON.stringify(viewerEvent(threadId, mode, chunk)));
      if (mode === 'updates' && typeof chunk === 'object' && chunk && NODES.final in chunk) done = true;
      meterMs += performance.now() - began;
    }
    return done;
  };

  if (!(await runOne(build(durable?.saver ?? new MeteredMemorySaver()), 'warmup')))
    throw new Error('the warm-up graph run did not finish');
  llm.setLatency(opts.latencyMs);

  return {
    async close() {
      await durable?.close();
    },
    async run(debates) {
      streamCount = {};
      streamBytes = 0;
      meterMs = 0;
      const saver = new MeteredMemorySaver();
      const graph = build(durable?.saver ?? saver);
      const llmBefore = llm.stats();
      const backendBefore = durable ? await durable.backendCpu() : null;
      const run = `run-${debates}-${Date.now()}`;
      const { result: done, window } = await measureWindow(probe, () =>
        Promise.all(Array.from({ length: debates }, (_, i) => runOne(graph, `${run}-${i}`))),
      );
      const backendAfter = durable ? await durable.backendCpu() : null;
      const retained = heldMb();
      const held = durable ? 0 : saver.heldBytes();
      const stored = durable ? await durable.stored(run) : null;

      const llmStats = llm.stats();
      const fakeMs = llmStats.selfMs - llmBefore.selfMs;
      const turns = opts.script.length * debates;
      const m = stored ?? saver.meter;
      const messages = Object.values(streamCount).reduce((a, b) => a + b, 0);
      const notes = [
        `${callsOf(opts.script)} model calls per debate, replaying the arena's debate step by step`,
        durable
          ? 'PostgresSaver on the same Postgres server as the arena: durable like the arena; state bytes are the stored checkpoint and write rows'
          : 'MemorySaver: nothing durable is written; its serialized bytes are what a database saver would write',
      ];
      const deltas = streamCount[lean ? 'custom' : 'messages'] ?? 0;
      const produced = llmStats.deltas - llmBefore.deltas;
      if (deltas < produced)
        notes.push(`only ${deltas} of ${produced} streamed deltas reached the stream consumer`);
      return {
        system: opts.variant,
        store: durable ? 'postgres-saver' : 'memory-saver',
        debates,
        rounds: opts.rounds,
        latencyMs: opts.latencyMs,
        completed: done.filter(Boolean).length,
        turns,
        llmCalls: llmStats.calls - llmBefore.calls,
        wallMs: round(window.wallMs, 0),
        turnsPerSec: round(turns / (window.wallMs / 1000), 1),
        cpu: {
          msPerTurn: perTurn(window.cpuMs - fakeMs - meterMs, turns, 3),
          processMsPerTurn: perTurn(window.cpuMs, turns, 3),
          fakeLlmMsPerTurn: perTurn(fakeMs, turns, 3),
          meterMsPerTurn: perTurn(meterMs, turns, 3),
          dbBackendMsPerTurn:
            backendBefore && backendAfter
              ? perTurn(backendCpuDelta(backendBefore, backendAfter), turns, 3)
              : null,
        },
        sql: null,
        state: {
          checkpoints: m.checkpoints,
          checkpointsPerTurn: perTurn(m.checkpoints, turns),
          bytesPerTurn: perTurn(m.checkpointBytes + m.writeBytes, turns, 0),
          maxCheckpointBytes: m.maxCheckpointBytes,
          retainedBytesPerDebate: Math.round(held / debates),
        },
        bus: {
          messagesPerTurn: perTurn(messages, turns),
          bytesPerTurn: perTurn(streamBytes, turns, 0),
          byType: streamCount,
        },
        memory: memoryOf(window, debates, retained),
        loopDelayP99Ms: round(window.loopDelayP99Ms, 1),
        loopDelayMaxMs: round(window.loopDelayMaxMs, 1),
        notes,
      };
    },
  };
}

/** A fresh database on the server with LangGraph's PostgresSaver set up in it. */
async function openSaverDatabase(url: string | undefined) {
  if (!url)
    throw new Error('langgraph-postgres needs BENCH_DATABASE_URL (a server where a database may be created)');
  const name = `lg_bench_${randomBytes(5).toString('hex')}`;
  await adminExecute(url, `create database ${name}`);
  const { default: pg } = await import('pg');
  // A pool of 10 like the arena's.
  const pool = new pg.Pool({ connectionString: databaseUrl(url, name), max: 10 });
  const saver = new PostgresSaver(pool);
  await saver.setup();
  return {
    saver,
    backendCpu: () => backendCpu(url, name),
    /** Rows and bytes the saver stored for one run's threads. */
    async stored(run: string) {
      const like = `${run}-%`;
      const c = await pool.query<{ n: string; bytes: string; max: string }>(
        'select count(*) as n, coalesce(sum(pg_column_size(c.*)), 0) as bytes, coalesce(max(pg_column_size(c.checkpoint)), 0) as max from checkpoints c where thread_id like $1',
        [like],
      );
      const w = await pool.query<{ n: string; bytes: string }>(
        'select count(*) as n, coalesce(sum(pg_column_size(w.*)), 0) as bytes from checkpoint_writes w where thread_id like $1',
        [like],
      );
      const b = await pool.query<{ bytes: string }>(
        'select coalesce(sum(pg_column_size(b.*)), 0) as bytes from checkpoint_blobs b where thread_id like $1',
        [like],
      );
      return {
        checkpoints: Number(c.rows[0]!.n),
        checkpointBytes: Number(c.rows[0]!.bytes) + Number(b.rows[0]!.bytes),
        maxCheckpointBytes: Number(c.rows[0]!.max),
        writes: Number(w.rows[0]!.n),
        writeBytes: Number(w.rows[0]!.bytes),
      };
    },
    async close() {
      await pool.end();
      await adminExecute(url, `drop database if exists ${name} with (force)`);
    },
  };
}

function viewerEvent(debateId: string, mode: string, chunk: unknown): unknown {
  if (mode === 'messages') {
    const [message] = chunk as [{ content?: unknown }];
    return { type: 'message.delta', debateId, delta: message.content };
  }
  if (mode === 'custom') return { type: 'message.delta', debateId, ...(chunk as object) };
  // An update carries the node's output; a viewer needs the new message's text.
  const [node, update] =
    Object.entries(chunk as Record<string, { messages?: unknown[]; transcript?: unknown[] }>)[0] ?? [];
  const added = update?.messages ?? update?.transcript ?? [];
  const text = added.map((m) => (m as { content?: unknown }).content);
  return { type: 'message.created', debateId, node, text };
}
