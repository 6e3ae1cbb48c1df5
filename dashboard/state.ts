import type { DebateDetailView, DebateSummaryView } from '../engine/api.ts';
import type { ArenaEvent } from '../engine/events.ts';
import type { Persona } from '../personas/types.ts';
import { cachedIdeaCounts, cachedRecentSignals, cachedSignalSources } from './cached-reads.ts';
import type { DashboardContext } from './context.ts';
import { feedHealthViews, type LogLine, recentLogs } from './read-model.ts';

// How much one snapshot carries; the full lists are one request away (/api/debates/:id, /api/ideas…).
const LIVE_MESSAGES = 100;
const RECENT_DEBATES = 20;
const LATEST_SIGNALS = 12;
const OUTPUT_LINES = 80;
// A source that delivered nothing for this long is shown as stale.
const SOURCE_STALE_MS = 6 * 60 * 60 * 1000;

/** A persona as the page needs it (colour, handle, avatar), without prompt material. */
export function personaView(p: Persona, publicUrl: string) {
  return {
    id: p.id,
    name: p.name,
    handle: p.handle,
    color: p.color,
    role: p.role,
    group: p.group,
    phase: p.phase,
    personality: p.personality,
    model: p.model,
    expertise: p.expertise,
    catchphrase: p.catchphrase,
    planSection: p.planSection ?? null,
    avatar: `${publicUrl.replace(/\/+$/, '')}/avatars/${encodeURIComponent(p.id)}.png`,
  };
}

/** Which debate the LIVE DEBATE panel follows: the newest running one, else the newest at all. */
export function pickLive(debates: DebateSummaryView[]): DebateSummaryView | null {
  const newest = [...debates].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  return (
    newest.find((d) => d.status === 'active') ??
    newest.find((d) => d.status === 'paused') ??
    newest[0] ??
    null
  );
}

export function trimLive(detail: DebateDetailView): DebateDetailView & { omittedMessages: number } {
  const omitted = Math.max(0, detail.messages.length - LIVE_MESSAGES);
  return { ...detail, messages: detail.messages.slice(omitted), omittedMessages: omitted };
}

/** One snapshot of everything the page shows. */
export async function buildState(ctx: DashboardContext) {
  const { arena, db, config, clock } = ctx.props;
  // Taken before any read: events after this id are replayed to the page, so nothing falls between.
  const eventId = ctx.hub.currentId();
  const now = clock.now();
  const [debates, budget, counts, ideas, sources, latest, logs, feeds, health] = await Promise.all([
    ctx.settle('debates', () => arena.listDebates({ limit: RECENT_DEBATES })),
    ctx.settle('budget', () => arena.budget()),
    ctx.settle('idea counts', () => cachedIdeaCounts(ctx)),
    ctx.settle('ideas', () => arena.listIdeas({ limit: 8 })),
    ctx.settle('signal sources', () => cachedSignalSources(ctx)),
    ctx.settle('signals', () => cachedRecentSignals(ctx, 7 * 24, LATEST_SIGNALS)),
    ctx.settle('logs', () => recentLogs(db, OUTPUT_LINES)),
    ctx.settle('feed health', () => feedHealthViews(db)),
    ctx.health(),
  ]);
  const live = debates ? pickLive(debates) : null;
  const liveDetail = live ? await ctx.settle('live debate', () => arena.getDebate(live.id)) : null;
  const { components, degraded } = health;
  // A read that failed or ran out of time leaves its part empty; only a failing component degrades.
  const system = ctx.stats.sample();
  return {
    eventId,
    at: now.toISOString(),
    app: { name: 'AGENTIC ARENA', version: config.version, codename: config.codename },
    system: { ...system, status: degraded ? ('degraded' as const) : ('online' as const) },
    config: {
      publicUrl: config.publicUrl,
      dialect: config.dialect,
      actions: ctx.actionPolicy(),
      jobs: Object.keys(ctx.props.jobs ?? {}),
    },
    components,
    signals: {
      sources: (sources ?? []).map((s) => ({
        source: s.source,
        count: s.count,
        lastCollectedAt: s.lastCollectedAt.toISOString(),
        healthy: now.getTime() - s.lastCollectedAt.getTime() < SOURCE_STALE_MS,
      })),
      latest: latest ?? [],
      // Per configured feed; the live stream's `system` frame brings fresh copies.
      feeds: feeds ?? [],
    },
    debates: debates ?? [],
    live: liveDetail ? trimLive(liveDetail) : null,
    partials: ctx.hub.partials(),
    budget,
    ideas: { counts, recent: ideas ?? [] },
    output: mergeOutput(logs ?? [], ctx.hub.recent(OUTPUT_LINES)),
    personas: ctx.personas().map((p) => personaView(p, config.publicUrl)),
  };
}

export type DashboardState = Awaited<ReturnType<typeof buildState>>;

/** Stored log rows and recent bus events as one time-ordered list of events. */
function mergeOutput(logs: LogLine[], events: ArenaEvent[]): ArenaEvent[] {
  // The engine writes its log events to system_logs too; drop a row the bus already brought.
  const seen = new Set(events.filter((e) => e.type === 'log').map((e) => `${e.source}|${e.message}`));
  const fromDb: ArenaEvent[] = logs
    .filter((l) => !seen.has(`${l.source}|${l.message}`))
    .map((l) => ({ type: 'log', at: l.at, level: l.level, source: l.source, message: l.message }));
  return [...fromDb, ...events].sort((a, b) => a.at.localeCompare(b.at)).slice(-OUTPUT_LINES);
}
