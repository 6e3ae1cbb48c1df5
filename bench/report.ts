import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BenchArgs } from './args.ts';
import type { ScenarioResult } from './result.ts';
import type { DebateScript } from './script.ts';

/** Everything a run produced, as written to bench/results/latest.json. */
export interface BenchReport {
  generatedAt: string;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryMb: number;
    node: string;
    loadAvgBefore: number[];
    loadAvgAfter: number[];
  };
  args: Omit<BenchArgs, 'out'>;
  /** Steps of the debate every system ran, by kind. */
  debateShape: Record<string, number>;
  results: ScenarioResult[];
}

export function buildReport(
  args: BenchArgs,
  script: DebateScript | undefined,
  results: ScenarioResult[],
  loadAvgBefore: number[],
): BenchReport {
  const { out: _out, ...rest } = args;
  const shape: Record<string, number> = {};
  for (const step of script ?? []) shape[step.kind] = (shape[step.kind] ?? 0) + 1;
  return {
    generatedAt: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryMb: Math.round(os.totalmem() / 1024 / 1024),
      node: process.version,
      loadAvgBefore: loadAvgBefore.map((n) => Math.round(n * 100) / 100),
      loadAvgAfter: os.loadavg().map((n) => Math.round(n * 100) / 100),
    },
    args: rest,
    debateShape: shape,
    results,
  };
}

export async function writeReport(file: string, report: BenchReport): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
}

const dash = '–';

/** The results as two plain-text tables: work and speed, then storage, stream and memory. */
export function formatTables(results: readonly ScenarioResult[]): string {
  const name = (r: ScenarioResult) => `${r.system}/${r.store}`;
  const speed = table(
    [
      'system/store',
      'debates',
      'done',
      'turns',
      'wall s',
      'turns/s',
      'CPU ms/turn',
      'process ms/turn',
      'db backend ms/turn',
      'loop p99 ms',
    ],
    results.map((r) => [
      name(r),
      r.debates,
      r.completed,
      r.turns,
      (r.wallMs / 1000).toFixed(1),
      r.turnsPerSec.toFixed(1),
      r.cpu.msPerTurn.toFixed(2),
      r.cpu.processMsPerTurn.toFixed(2),
      r.cpu.dbBackendMsPerTurn == null ? dash : r.cpu.dbBackendMsPerTurn.toFixed(2),
      // Without model latency nothing yields to the event loop: the "delay" is the whole run.
      r.latencyMs > 0 ? r.loopDelayP99Ms.toFixed(0) : dash,
    ]),
  );
  const storage = table(
    [
      'system/store',
      'debates',
      'SQL/turn',
      'tx/turn',
      'written B/turn',
      'WAL B/turn',
      'state B/turn',
      'events/turn',
      'peak RSS MB',
      'RSS MB/debate',
      'heap MB/debate',
      'kept KB/debate',
    ],
    results.map((r) => [
      name(r),
      r.debates,
      r.sql ? r.sql.statementsPerTurn.toFixed(1) : dash,
      r.sql ? r.sql.transactionsPerTurn.toFixed(2) : dash,
      r.sql ? r.sql.writeBytesPerTurn : dash,
      r.sql ? r.sql.walBytesPerTurn : dash,
      r.state ? r.state.bytesPerTurn : dash,
      r.bus.messagesPerTurn.toFixed(1),
      r.memory.peakRssMb.toFixed(0),
      r.memory.rssPerDebateMb.toFixed(2),
      r.memory.heapPerDebateMb.toFixed(2),
      (r.memory.retainedPerDebateMb * 1024).toFixed(0),
    ]),
  );
  return `${speed}\n\n${storage}`;
}

function table(head: string[], rows: Array<Array<string | number>>): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join(
    '\n',
  );
}
