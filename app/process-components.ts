import type { ComponentStatus } from '../dashboard/types.ts';
import type { DatabaseHealth } from '../db/connect.ts';
import { describeCache } from '../engine/cache/stats.ts';
import { describeRouter } from '../engine/llm/router/describe.ts';
import type { ArenaContext } from './context.ts';

/** This process's services for PROCESSES and /api/health, each with its live line (load, router, cache). */
export function processComponents(
  ctx: Pick<ArenaContext, 'health' | 'runner' | 'router' | 'llmDescription' | 'database' | 'cache'>,
): ComponentStatus[] {
  return ctx.health.list().map((c) => {
    switch (c.id) {
      case 'engine':
        return { ...c, detail: runnerDetail(ctx.runner.load()) };
      case 'llm':
        return { ...c, detail: `${ctx.llmDescription} — ${describeRouter(ctx.router.snapshot())}` };
      case 'database':
        return databaseStatus(c, ctx.database.health());
      case 'cache':
        return { ...c, detail: describeCache(ctx.cache.stats()) };
      default:
        return c;
    }
  });
}

function databaseStatus(c: ComponentStatus, health: DatabaseHealth): ComponentStatus {
  if (health.ok) return { ...c, status: 'running' };
  const down = Math.round((Date.now() - health.since.getTime()) / 1000);
  return { ...c, status: 'error', lastError: `unreachable for ${down} s: ${health.error ?? 'no answer'}` };
}

/** The engine's line in PROCESSES: what runs and what waits for a free slot. */
function runnerDetail(load: { running: number; queued: number; capacity: number }): string {
  const queued = load.queued > 0 ? `, ${load.queued} queued (capacity ${load.capacity})` : '';
  return `${load.running} debate(s) running${queued}`;
}
