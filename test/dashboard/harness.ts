import { createDashboard } from '../../dashboard/server.ts';
import type { ComponentStatus, Dashboard, DashboardConfig } from '../../dashboard/types.ts';
import type { DialectName } from '../../db/connect.ts';
import type { Arena } from '../../engine/api.ts';
import { createMemoryBus } from '../../engine/bus/memory-bus.ts';
import type { EventBus } from '../../engine/events.ts';
import { silentLogger } from '../../engine/log.ts';
import { builtinCatalog, renderAvatar } from '../../personas/index.ts';
import type { Persona } from '../../personas/types.ts';
import { createFakeArena } from '../fakes/fake-arena.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { seedDashboardData } from './helpers.ts';

/** An arena a test wires in, with what must stop before the database closes. */
export interface ArenaUnderTest {
  arena: Arena;
  close?: () => Promise<void>;
}

export interface Harness {
  t: TestDatabase;
  bus: EventBus;
  arena: Arena;
  personas: readonly Persona[];
  dashboard: Dashboard;
  url: string;
  close(): Promise<void>;
}

export const COMPONENTS: ComponentStatus[] = [
  { id: 'engine', name: 'debate-runner', kind: 'service', status: 'running', detail: 'leases 1 debate' },
  { id: 'llm', name: 'llm-router', kind: 'service', status: 'running', detail: 'offline provider' },
  { id: 'discord', name: 'discord', kind: 'service', status: 'disabled', detail: 'DISCORD_TOKEN not set' },
  { id: 'slack', name: 'slack', kind: 'service', status: 'disabled', detail: 'SLACK_BOT_TOKEN not set' },
  { id: 'job:signal-fetch', name: 'signal-fetch', kind: 'job', status: 'idle', detail: 'every 30 min' },
  { id: 'job:retention', name: 'retention', kind: 'job', status: 'idle', detail: 'daily 03:00' },
];

/**
 * A seeded database, an arena (the caller's, or a fake one), and a listening dashboard.
 * `makeArena` receives the bus and database so a real engine can be wired on them.
 */
export async function startHarness(opts: {
  dialect?: DialectName;
  config?: Partial<DashboardConfig>;
  makeArena?: (p: {
    bus: EventBus;
    t: TestDatabase;
    personas: readonly Persona[];
  }) => Promise<ArenaUnderTest>;
  jobs?: Record<string, () => Promise<unknown>>;
  /** The app's components as the test wants them now (default: COMPONENTS, all well). */
  components?: () => ComponentStatus[];
}): Promise<Harness> {
  const [t, personas] = await Promise.all([createTestDatabase(opts.dialect ?? 'pglite'), builtinCatalog()]);
  await seedDashboardData(t.db);
  const bus = createMemoryBus();
  const under: ArenaUnderTest = opts.makeArena
    ? await opts.makeArena({ bus, t, personas })
    : { arena: createFakeArena({ bus, personas, chunkMs: 25, costPerTurn: 0.35, spentUsd: 1.25 }) };
  const { arena } = under;
  const now = Date.now();
  const dashboard = createDashboard({
    arena,
    bus,
    db: t.db,
    personas,
    renderAvatar,
    config: {
      host: '127.0.0.1',
      port: 0,
      publicUrl: 'http://127.0.0.1:3000',
      version: '0.1.0',
      codename: 'Signal Storm',
      dialect: t.dialect,
      statsMs: 1000,
      ...opts.config,
    },
    components:
      opts.components ??
      (() =>
        COMPONENTS.map((c) =>
          c.kind === 'job' ? { ...c, lastRunAt: new Date(now - 12 * 60_000).toISOString() } : c,
        )),
    jobs: opts.jobs ?? { 'signal-fetch': async () => {}, retention: async () => {} },
    deliveries: async () => ({ pending: 0, failed: 0 }),
    log: silentLogger,
    clock: { now: () => new Date() },
  });
  const { url } = await dashboard.listen();
  return {
    t,
    bus,
    arena,
    personas,
    dashboard,
    url,
    async close() {
      await dashboard.close();
      await under.close?.();
      await bus.close();
      await t.dispose();
    },
  };
}
