import type { Kysely } from 'kysely';
import { createDashboard } from '../dashboard/server.ts';
import type { DatabaseHealth, DialectName } from '../db/connect.ts';
import type { Database } from '../db/schema.ts';
import type { Arena } from '../engine/api.ts';
import { systemClock } from '../engine/clock.ts';
import type { EventBus } from '../engine/events.ts';
import { silentLogger } from '../engine/log.ts';
import pkg from '../package.json' with { type: 'json' };

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/** What the benchmark's arena process is made of, for the dashboard `arena start` would serve beside it. */
export interface DashboardParts {
  arena: Arena;
  bus: EventBus;
  db: Kysely<Database>;
  dialect: DialectName;
  /** The database handle's health probe (db/connect.ts): what `arena start` gives its dashboard. */
  dbHealth: () => DatabaseHealth;
}

/**
 * The app's real dashboard (`createDashboard`: the hono app, its host guard, its SSE hub and log
 * follower, and the `/api/health` route), composed as `arena start` composes it, in the process that
 * runs the debates, on 127.0.0.1 and a free port. Requests from another process then time
 * `/api/health` while this process runs the debates: its event loop's lateness plus the route's work.
 */
export async function startHealthServer(parts: DashboardParts): Promise<HealthServer> {
  const dashboard = createDashboard({
    arena: parts.arena,
    bus: parts.bus,
    db: parts.db,
    config: {
      host: '127.0.0.1',
      port: 0,
      publicUrl: 'http://127.0.0.1',
      version: pkg.version,
      codename: 'bench',
      dialect: parts.dialect,
    },
    dbHealth: parts.dbHealth,
    components: () => [
      { id: 'database', name: 'Database', kind: 'service', status: 'running', detail: parts.dialect },
      { id: 'engine', name: 'Debate engine', kind: 'service', status: 'running', detail: 'bench' },
    ],
    log: silentLogger,
    clock: systemClock,
  });
  const { port } = await dashboard.listen();
  return { port, close: () => dashboard.close() };
}

/** Requests `/api/health` one after another (a new one every `everyMs` at most) until stopped; latencies in ms. */
export function pollHealth(
  port: number,
  everyMs = 50,
): { stop(): Promise<{ latencies: number[]; failures: number; degraded: number }> } {
  const latencies: number[] = [];
  let failures = 0;
  let degraded = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const began = performance.now();
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/health`, {
          signal: AbortSignal.timeout(30_000),
        });
        const body = (await res.json()) as { status?: string };
        if (res.ok) {
          latencies.push(performance.now() - began);
          if (body.status !== 'ok') degraded++;
        } else failures++;
      } catch {
        if (!stopped) failures++;
      }
      const wait = everyMs - (performance.now() - began);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return { latencies, failures, degraded };
    },
  };
}
