import type { WindowMeasure } from './measure.ts';

/** Which system ran the debates. */
export type BenchSystem = 'arena' | 'langgraph' | 'langgraph-postgres' | 'langgraph-lean';

/** One scenario's figures: N debates of the same shape, run concurrently to completion. */
export interface ScenarioResult {
  system: BenchSystem;
  /** Where state lived: pglite, postgres, or memory-saver (LangGraph's in-memory checkpointer). */
  store: string;
  debates: number;
  rounds: number;
  latencyMs: number;
  completed: number;
  /** Committed debate steps (messages): persona turns, summaries, verdicts, the outcome note, plan sections. */
  turns: number;
  llmCalls: number;
  wallMs: number;
  turnsPerSec: number;
  cpu: {
    /** The system's own CPU per turn: process CPU minus the fake model's and the meters' own work. */
    msPerTurn: number;
    /** Whole-process CPU per turn, before taking anything out. */
    processMsPerTurn: number;
    fakeLlmMsPerTurn: number;
    meterMsPerTurn: number;
    /** CPU of the Postgres backends serving the run, per turn (a server on this machine); null when not measured. */
    dbBackendMsPerTurn?: number | null;
  };
  /** The arena's database work; null for systems without a database. */
  sql: {
    statementsPerTurn: number;
    transactionsPerTurn: number;
    writesPerTurn: number;
    /** Bytes of the writing statements' parameters per turn. */
    writeBytesPerTurn: number;
    paramBytesPerTurn: number;
    /** WAL the database produced per turn (on a shared server this includes other sessions' writes). */
    walBytesPerTurn: number;
    /** Statements of one debate by `verb table`, averaged over the debates. */
    perDebate: Record<string, number>;
  } | null;
  /** A checkpointer's serialized state; null for the arena. */
  state: {
    checkpoints: number;
    checkpointsPerTurn: number;
    /** Serialized checkpoint + metadata + pending writes per turn: what a persistent saver would write. */
    bytesPerTurn: number;
    /** The largest single checkpoint: the whole transcript, rewritten at the last step. */
    maxCheckpointBytes: number;
    /** Everything the saver holds at the end, per debate. */
    retainedBytesPerDebate: number;
  } | null;
  /** Events published for viewers (arena: the event bus; LangGraph: stream chunks). */
  bus: {
    messagesPerTurn: number;
    /** JSON bytes those events would take on a Redis bus, per turn. */
    bytesPerTurn: number;
    byType: Record<string, number>;
    bytesByType?: Record<string, number>;
  };
  memory: {
    baselineRssMb: number;
    peakRssMb: number;
    peakHeapMb: number;
    /** (peak − baseline) / debates. */
    rssPerDebateMb: number;
    heapPerDebateMb: number;
    /** Heap and ArrayBuffers still held after every debate finished (after a full GC), per debate. */
    retainedPerDebateMb: number;
  };
  /** How late a 20 ms timer fired in the window: p99 and worst (0 latency on PGlite never yields, see docs). */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  notes: string[];
}

/** The memory block of a result from a measured window and the heap retained after it. */
export function memoryOf(
  window: WindowMeasure,
  debates: number,
  heldAfterMb: number,
): ScenarioResult['memory'] {
  return {
    baselineRssMb: round(window.baseline.rssMb, 1),
    peakRssMb: round(window.peak.rssMb, 1),
    peakHeapMb: round(window.peak.heapMb, 1),
    rssPerDebateMb: round((window.peak.rssMb - window.baseline.rssMb) / debates, 3),
    heapPerDebateMb: round((window.peak.heapMb - window.baseline.heapMb) / debates, 3),
    retainedPerDebateMb: round(Math.max(0, heldAfterMb - window.baseline.heldMb) / debates, 3),
  };
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** A count per turn, rounded for reading. */
export function perTurn(n: number, turns: number, digits = 2): number {
  return turns === 0 ? 0 : round(n / turns, digits);
}
