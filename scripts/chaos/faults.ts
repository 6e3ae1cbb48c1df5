import type { FakeOllamaServer } from '../../test/fakes/ollama-server.ts';
import type { ArenaProcess } from './arena-process.ts';
import type { ChaosDatabase } from './database.ts';
import type { ChaosPlatform } from './platform.ts';
import type { ChaosStats } from './report.ts';
import { sleep } from './timing.ts';

/** The model's silence timeout in the arena under test; a stall lasts longer than it. */
export const LLM_TIMEOUT_MS = 4_000;
const STALL_MS = LLM_TIMEOUT_MS + 2_000;
/** The line `arena start` prints once it runs (its dashboard is up). */
export const READY = /dashboard: http/;

/** Where the run injects faults, and its seeded dice. */
export interface FaultTargets {
  llm: FakeOllamaServer;
  platforms: readonly ChaosPlatform[];
  database: ChaosDatabase;
  stats: ChaosStats;
  rand: () => number;
  log: (line: string) => void;
}

/**
 * Before each kill, at random: a model 500, a model stall longer than the arena's silence timeout,
 * posts that fail with 500s past the client's own retries, posts answered 429 with Retry-After.
 */
export function injectFaults(t: FaultTargets): void {
  if (t.rand() < 0.4) {
    t.llm.failNext(1, 500);
    t.stats.llmFaults.http500++;
  }
  if (t.rand() < 0.25) {
    t.llm.failNext(1, { stallMs: STALL_MS });
    t.stats.llmFaults.stalls++;
  }
  for (const platform of t.platforms) {
    if (t.rand() < 0.35) t.stats.platformFaults.http500 += platform.failPosts(500);
    if (t.rand() < 0.35) t.stats.platformFaults.http429 += platform.failPosts(429);
  }
}

/**
 * What a Postgres restart and an outage do to the arena `p`: its backends terminated while it starts
 * (reconciling threads, taking leases) and again once it runs, then every connection cut for
 * `outageMs`.
 */
export async function databaseOutage(t: FaultTargets, p: ArenaProcess, outageMs: number): Promise<void> {
  const between = (lo: number, hi: number) => Math.round(lo + t.rand() * (hi - lo));
  const terminate = async () => {
    t.stats.backendsTerminated += await t.database.terminateBackends();
  };
  await p.waitFor(/database: /, 180_000).catch(() => {});
  await terminate();
  await sleep(between(100, 1_500));
  await terminate();
  await p.waitFor(READY, 180_000).catch((e: Error) => t.log(`not ready during the outage: ${e.message}`));
  await sleep(2_000);
  await terminate();
  t.database.cut();
  t.log(`database cut for ${outageMs} ms`);
  await sleep(outageMs);
  t.database.restore();
  t.stats.dbOutages++;
  await sleep(between(1_000, 4_000));
}
