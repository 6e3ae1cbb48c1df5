import { listSignals, signalsByCategory, signalsBySource } from '../../db/repositories/signals.ts';
import {
  cachedAgentActivity,
  cachedDebate,
  cachedIdeaCounts,
  cachedRecentSignals,
  cachedSignalSources,
  cachedTrends,
  cachedUsageByModel,
} from '../cached-reads.ts';
import type { DashboardContext } from '../context.ts';
import type { DashboardApp } from '../http/app.ts';
import { readQuery } from '../http/body.ts';
import { HttpError, json } from '../http/respond.ts';
import { countDebatesByStatus, toSignalView } from '../read-model.ts';
import { debateIdParam, debatesQuery, ideasQuery, signalsQuery, trendsQuery } from '../schemas.ts';
import { buildState, personaView } from '../state.ts';

/** The read API: JSON snapshots of the arena, open to anyone who can reach the dashboard. */
export function registerReadRoutes(app: DashboardApp, ctx: DashboardContext): void {
  const { arena, db, config } = ctx.props;

  app.get('/api/health', async () => {
    const { degraded, dbOk, components } = await ctx.health();
    // The process is alive and recovers by itself when the database returns: degraded, not down
    // (a 503 would make an orchestrator restart a process that cannot start without its database).
    const latencyMs = ctx.props.dbHealth?.().latencyMs ?? null;
    return json({
      status: degraded ? 'degraded' : 'ok',
      version: config.version,
      codename: config.codename,
      db: { dialect: config.dialect, ok: dbOk, latencyMs },
      components,
    });
  });

  app.get('/api/state', async () => json(await buildState(ctx)));

  app.get('/api/debates', async (c) => {
    const q = readQuery(c.req, debatesQuery);
    return json({ debates: await arena.listDebates(q) });
  });

  app.get('/api/debates/:id', async (c) => {
    const id = debateIdParam.safeParse(c.req.param('id'));
    if (!id.success) throw new HttpError(404, 'debate_not_found', 'No debate with this id');
    const debate = await cachedDebate(ctx, id.data);
    if (!debate) throw new HttpError(404, 'debate_not_found', 'No debate with this id');
    return json({ debate, partials: ctx.hub.partials().filter((p) => p.debateId === debate.id) });
  });

  app.get('/api/ideas', async (c) => {
    const q = readQuery(c.req, ideasQuery);
    const [ideas, counts] = await Promise.all([arena.listIdeas(q), cachedIdeaCounts(ctx)]);
    return json({ ideas, counts });
  });

  app.get('/api/signals', async (c) => {
    const q = readQuery(c.req, signalsQuery);
    // `order=newest`: the newest first, as `arena signals list` prints them.
    const signals =
      q.order === 'newest'
        ? (await listSignals(db, q)).map(toSignalView)
        : q.source
          ? (await signalsBySource(db, q.source, q.limit)).map(toSignalView)
          : q.category
            ? (await signalsByCategory(db, q.category, q.limit)).map(toSignalView)
            : await cachedRecentSignals(ctx, q.hours, q.limit);
    const sources = await cachedSignalSources(ctx);
    return json({
      signals,
      sources: sources.map((s) => ({ ...s, lastCollectedAt: s.lastCollectedAt.toISOString() })),
    });
  });

  app.get('/api/trends', async (c) => {
    const q = readQuery(c.req, trendsQuery);
    return json({ period: q.period, trends: await cachedTrends(ctx, q.period, q.limit) });
  });

  app.get('/api/jobs', async () => json({ jobs: (await ctx.props.jobStatus?.()) ?? [] }));

  app.get('/api/budget', async () => {
    const [budget, byModel] = await Promise.all([arena.budget(), cachedUsageByModel(ctx)]);
    return json({ budget, byModel });
  });

  app.get('/api/personas', async () => {
    const activity = await ctx.settle('agent states', () => cachedAgentActivity(ctx));
    return json({
      personas: ctx.personas().map((p) => ({
        ...personaView(p, config.publicUrl),
        activity: activity?.get(p.id) ?? null,
      })),
    });
  });

  app.get('/api/events', (c) => {
    // EventSource sends Last-Event-ID when it reconnects; a fresh page passes the snapshot's id.
    const last = c.req.header('last-event-id') ?? c.req.query('since') ?? null;
    return ctx.hub.stream(last, c.req.raw.signal);
  });

  app.get('/metrics', async () => {
    const [byStatus, budget, deliveries] = await Promise.all([
      ctx.settle('debate counts', () => countDebatesByStatus(db)),
      ctx.settle('budget', () => arena.budget()),
      ctx.props.deliveries ? ctx.settle('deliveries', ctx.props.deliveries) : Promise.resolve(null),
    ]);
    const s = ctx.stats.sample();
    const text = ctx.metrics.render({
      debatesByStatus: byStatus ?? {},
      budget,
      deliveries,
      router: ctx.props.router?.() ?? null,
      runner: ctx.props.runner?.() ?? null,
      cache: ctx.cache.kind === 'redis' ? ctx.cache.stats() : null,
      sseClients: ctx.hub.clients(),
      memory: process.memoryUsage(),
      cpuSeconds: s.cpuSeconds,
      uptimeSeconds: s.uptimeSeconds,
    });
    return new Response(text, {
      headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' },
    });
  });
}
