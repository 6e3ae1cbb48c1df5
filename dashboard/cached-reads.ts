import { recentSignals, signalSourceStats } from '../db/repositories/signals.ts';
import { latestTrends } from '../db/repositories/trends.ts';
import { usageByModel, utcDay, utcMonthStart } from '../db/repositories/usage.ts';
import { cacheKeys } from '../engine/cache/keys.ts';
import type { DashboardContext } from './context.ts';
import {
  type AgentActivity,
  agentActivity,
  ideaCounts,
  type SignalView,
  toSignalView,
} from './read-model.ts';

// The read endpoints' hot reads through the cache (engine/cache). Values are JSON (views, not rows),
// so a hit and a miss return the same thing.

export function cachedIdeaCounts(ctx: DashboardContext) {
  return ctx.cache.read(cacheKeys.ideaCounts(), () => ideaCounts(ctx.props.db));
}

/** The best-scored signals of the last `hours`. */
export function cachedRecentSignals(
  ctx: DashboardContext,
  hours: number,
  limit: number,
): Promise<SignalView[]> {
  return ctx.cache.read(cacheKeys.signalsRecent(hours, limit), async () => {
    const since = new Date(ctx.props.clock.now().getTime() - hours * 3600_000);
    return (await recentSignals(ctx.props.db, { since, limit })).map(toSignalView);
  });
}

export function cachedUsageByModel(ctx: DashboardContext) {
  return ctx.cache.read(cacheKeys.budgetMonth(), () => {
    const now = ctx.props.clock.now();
    return usageByModel(ctx.props.db, utcMonthStart(now), utcDay(now));
  });
}

export async function cachedAgentActivity(ctx: DashboardContext): Promise<Map<string, AgentActivity>> {
  const entries = await ctx.cache.read(cacheKeys.agentStates(), async () => [
    ...(await agentActivity(ctx.props.db)).entries(),
  ]);
  return new Map(entries);
}

export function cachedDebate(ctx: DashboardContext, id: string) {
  return ctx.cache.read(cacheKeys.debateSession(id), () => ctx.props.arena.getDebate(id));
}

export function cachedTrends(ctx: DashboardContext, period: string, limit: number) {
  return ctx.cache.read(cacheKeys.trendsLatest(period, limit), async () =>
    (await latestTrends(ctx.props.db, period, limit)).map((t) => ({
      id: t.id,
      period: t.period,
      name: t.name,
      description: t.description,
      category: t.category,
      score: Number(t.score),
      signalCount: Number(t.signal_count),
      growth: (t.analysis_data as { growth?: number } | null)?.growth ?? 1,
      keywords: t.keywords ?? [],
      relatedSignals: t.related_signals ?? [],
      analyzedAt: new Date(t.analyzed_at).toISOString(),
    })),
  );
}

/** Signals per source with the newest collection time (ISO), for the SIGNALS panel. */
export async function cachedSignalSources(ctx: DashboardContext) {
  const rows = await ctx.cache.read(cacheKeys.signalSources(), async () =>
    (await signalSourceStats(ctx.props.db)).map((s) => ({
      ...s,
      lastCollectedAt: s.lastCollectedAt.toISOString(),
    })),
  );
  return rows.map((s) => ({ ...s, lastCollectedAt: new Date(s.lastCollectedAt) }));
}
