import type { z } from 'zod';
import {
  recentSignals,
  signalSourceStats,
  signalsByCategory,
  signalsBySource,
} from '../../db/repositories/signals.ts';
import { usageByModel, utcDay, utcMonthStart } from '../../db/repositories/usage.ts';
import type { DashboardContext } from '../context.ts';
import { HttpError, json } from '../http/respond.ts';
import type { Router } from '../http/router.ts';
import { agentActivity, countDebatesByStatus, ideaCounts, toSignalView } from '../read-model.ts';
import { debateIdParam, debatesQuery, ideasQuery, signalsQuery } from '../schemas.ts';
import { buildState, personaView } from '../state.ts';

/** The read API: JSON snapshots of the arena, open to anyone who can reach the dashboard. */
export function registerReadRoutes(router: Router, ctx: DashboardContext): void {
  const { arena, db, config, clock } = ctx.props;

  router.get('/api/health', async () => {
    const dbOk = await ctx.dbHealthy();
    const components = ctx.components();
    const status = !dbOk ? 'down' : components.some((c) => c.status === 'error') ? 'degraded' : 'ok';
    return json(
      {
        status,
        version: config.version,
        codename: config.codename,
        db: { dialect: config.dialect, ok: dbOk },
        components,
      },
      dbOk ? 200 : 503,
    );
  });

  router.get('/api/state', async () => json(await buildState(ctx)));

  router.get('/api/debates', async ({ url }) => {
    const q = query(debatesQuery, url);
    return json({ debates: await arena.listDebates(q) });
  });

  router.get('/api/debates/:id', async ({ params }) => {
    const id = debateIdParam.safeParse(params.id);
    if (!id.success) throw new HttpError(404, 'debate_not_found', 'No debate with this id');
    const debate = await arena.getDebate(id.data);
    if (!debate) throw new HttpError(404, 'debate_not_found', 'No debate with this id');
    return json({ debate, partials: ctx.hub.partials().filter((p) => p.debateId === debate.id) });
  });

  router.get('/api/ideas', async ({ url }) => {
    const q = query(ideasQuery, url);
    const [ideas, counts] = await Promise.all([arena.listIdeas(q), ideaCounts(db)]);
    return json({ ideas, counts });
  });

  router.get('/api/signals', async ({ url }) => {
    const q = query(signalsQuery, url);
    const rows = q.source
      ? await signalsBySource(db, q.source, q.limit)
      : q.category
        ? await signalsByCategory(db, q.category, q.limit)
        : await recentSignals(db, {
            since: new Date(clock.now().getTime() - q.hours * 3600_000),
            limit: q.limit,
          });
    const sources = await signalSourceStats(db);
    return json({
      signals: rows.map(toSignalView),
      sources: sources.map((s) => ({ ...s, lastCollectedAt: s.lastCollectedAt.toISOString() })),
    });
  });

  router.get('/api/budget', async () => {
    const now = clock.now();
    const [budget, byModel] = await Promise.all([
      arena.budget(),
      usageByModel(db, utcMonthStart(now), utcDay(now)),
    ]);
    return json({ budget, byModel });
  });

  router.get('/api/personas', async () => {
    const activity = await ctx.settle('agent states', () => agentActivity(db));
    return json({
      personas: ctx.personas().map((p) => ({
        ...personaView(p, config.publicUrl),
        activity: activity?.get(p.id) ?? null,
      })),
    });
  });

  router.get('/api/events', ({ request, url }) => {
    // EventSource sends Last-Event-ID when it reconnects; a fresh page passes the snapshot's id.
    const last = request.headers.get('last-event-id') ?? url.searchParams.get('since');
    return ctx.hub.stream(last, request.signal);
  });

  router.get('/metrics', async () => {
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

function query<T extends z.ZodType>(schema: T, url: URL): z.infer<T> {
  const result = schema.safeParse(Object.fromEntries(url.searchParams));
  if (!result.success) {
    const first = result.error.issues[0];
    throw new HttpError(
      400,
      'invalid_query',
      `${first?.path.join('.') ?? 'query'}: ${first?.message ?? 'invalid'}`,
    );
  }
  return result.data;
}
