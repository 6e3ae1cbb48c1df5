import { sql } from 'kysely';
import { type Cache, noCache } from '../engine/cache/types.ts';
import { redact } from '../engine/log.ts';
import type { Persona } from '../personas/types.ts';
import { actionPolicy } from './auth.ts';
import { type SystemHealth, systemHealth } from './health.ts';
import type { Metrics } from './metrics.ts';
import type { EventHub } from './sse/event-hub.ts';
import type { createSystemStats } from './system-stats.ts';
import type { ComponentStatus, DashboardProps } from './types.ts';

/** Everything a route handler may use, built once per dashboard. */
export interface DashboardContext {
  props: DashboardProps;
  /** Cached reads for the read endpoints (the no-op cache without Redis). */
  cache: Cache;
  hub: EventHub;
  metrics: Metrics;
  stats: ReturnType<typeof createSystemStats>;
  maxBodyBytes: number;
  personas(): readonly Persona[];
  persona(id: string): Persona | undefined;
  /** Components with secrets redacted, plus the dashboard itself. */
  components(): ComponentStatus[];
  /** A failed read is logged and shown as missing, not turned into a failed page. */
  settle<T>(what: string, work: () => Promise<T>): Promise<T | null>;
  dbHealthy(): Promise<boolean>;
  /** Components and the database, checked now: degraded only when a part is failing. */
  health(): Promise<SystemHealth>;
  /** The same without waiting: the database as last checked (for the live stream's frames). */
  healthNow(): SystemHealth;
  actionPolicy(): ReturnType<typeof actionPolicy>;
}

export function createContext(
  props: DashboardProps,
  parts: { hub: EventHub; metrics: Metrics; stats: ReturnType<typeof createSystemStats> },
): DashboardContext {
  const list = () => props.personas ?? props.arena.personas();
  let indexed: { from: readonly Persona[]; byId: Map<string, Persona> } | null = null;
  const log = props.log.child('dashboard');
  // Without a probe of its own (tests), the database is as healthy as the last `select 1` said.
  let lastDbOk = true;
  const dbHealthy = async () => {
    if (props.dbHealth) return props.dbHealth().ok;
    try {
      await sql`select 1`.execute(props.db);
      lastDbOk = true;
    } catch {
      lastDbOk = false;
    }
    return lastDbOk;
  };
  const ctx: DashboardContext = {
    props,
    cache: props.cache ?? noCache,
    ...parts,
    maxBodyBytes: props.config.maxBodyBytes ?? 64 * 1024,
    personas: list,
    persona(id) {
      const current = list();
      if (!indexed || indexed.from !== current)
        indexed = { from: current, byId: new Map(current.map((p) => [p.id, p])) };
      return indexed.byId.get(id);
    },
    components() {
      let given: ComponentStatus[] = [];
      try {
        given = props.components();
      } catch (error) {
        log.warn('components() failed', { error });
      }
      const own: ComponentStatus = {
        id: 'dashboard',
        name: 'dashboard',
        kind: 'service',
        status: 'running',
        detail: `${parts.hub.clients()} live viewer(s)`,
        lastRunAt: null,
        lastError: null,
      };
      return [...given, own].map((c) => ({
        id: c.id,
        name: c.name,
        kind: c.kind,
        status: c.status,
        detail: c.detail ? redact(c.detail) : null,
        lastRunAt: c.lastRunAt ?? null,
        nextRunAt: c.nextRunAt ?? null,
        lastError: c.lastError ? redact(c.lastError) : null,
        since: c.since ?? null,
      }));
    },
    async settle(what, work) {
      try {
        return await work();
      } catch (error) {
        log.warn(`reading ${what} failed`, { error });
        return null;
      }
    },
    dbHealthy,
    async health() {
      const dbOk = await dbHealthy();
      return systemHealth(ctx.components(), dbOk);
    },
    healthNow: () => systemHealth(ctx.components(), props.dbHealth ? props.dbHealth().ok : lastDbOk),
    actionPolicy: () => actionPolicy(props.config),
  };
  return ctx;
}
