import { performance } from 'node:perf_hooks';
import { builtinCatalog } from '../personas/index.ts';
import { BENCH_IDEA } from './arena-bench.ts';
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
  /** 'langgraph': LangChain chat model, messages state, streamMode 'messages'; 'langgraph-lean': plain objects, custom stream. */
  variant: 'langgraph' | 'langgraph-lean';
  latencyMs: number;
  /** The arena debate's exact sequence of steps, replayed as graph nodes. */
  script: DebateScript;
  rounds: number;
}

export interface LangGraphBench {
  /** Runs `debates` debates concurrently, each a thread of one fresh MemorySaver, and measures them. */
  run(debates: number): Promise<ScenarioResult>;
}

/** The same debates in LangGraph; one unmeasured debate runs first, as for the arena. */
export async function createLangGraphBench(opts: LangGraphBenchOptions): Promise<LangGraphBench> {
  const personas = new Map((await builtinCatalog()).map((p) => [p.id, p]));
  const probe = createMemoryProbe();
  // The warm-up runs without model latency; measured runs wait as asked.
  const llm = createBenchLlm({ latencyMs: 0, onCall: probe.sample });
  const lean = opts.variant === 'langgraph-lean';
  const build = (saver: MeteredMemorySaver) =>
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

  if (!(await runOne(build(new MeteredMemorySaver()), 'warmup')))
    throw new Error('the warm-up graph run did not finish');
  llm.setLatency(opts.latencyMs);

  return {
    async run(debates) {
      streamCount = {};
      streamBytes = 0;
      meterMs = 0;
      const saver = new MeteredMemorySaver();
      const graph = build(saver);
      const llmBefore = llm.stats();
      const { result: done, window } = await measureWindow(probe, () =>
        Promise.all(Array.from({ length: debates }, (_, i) => runOne(graph, `debate-${i}`))),
      );
      const retained = heldMb();
      const held = saver.heldBytes();

      const llmStats = llm.stats();
      const fakeMs = llmStats.selfMs - llmBefore.selfMs;
      const turns = opts.script.length * debates;
      const m = saver.meter;
      const messages = Object.values(streamCount).reduce((a, b) => a + b, 0);
      const notes = [
        `${callsOf(opts.script)} model calls per debate, replaying the arena's debate step by step`,
        'MemorySaver: nothing durable is written; its serialized bytes are what a database saver would write',
      ];
      const deltas = streamCount[lean ? 'custom' : 'messages'] ?? 0;
      const produced = llmStats.deltas - llmBefore.deltas;
      if (deltas < produced)
        notes.push(`only ${deltas} of ${produced} streamed deltas reached the stream consumer`);
      return {
        system: opts.variant,
        store: 'memory-saver',
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
