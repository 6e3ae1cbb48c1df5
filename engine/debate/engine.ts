import type { Kysely } from 'kysely';
import { insertLog } from '../../db/repositories/logs.ts';
import { foldTurnStats } from '../../db/repositories/usage.ts';
import type { Database } from '../../db/schema.ts';
import type { Persona } from '../../personas/types.ts';
import { budgetSnapshot } from '../budget/index.ts';
import type { Clock } from '../clock.ts';
import { BUDGET_EVENT_MIN_MS, STATS_FOLD_BATCH, STATS_FOLD_MS } from '../constants.ts';
import type { ArenaEvent, EventBus } from '../events.ts';
import { createPriceTable, type PriceTable } from '../llm/pricing.ts';
import type { Admission } from '../llm/router/types.ts';
import type { LlmProvider } from '../llm/types.ts';
import { type Logger, STORED_IN_SYSTEM_LOGS } from '../log.ts';
import { type Cast, createCast } from './plan/cast.ts';
import { createLeaseKeeper, type LeaseKeeper } from './run/lease-keeper.ts';
import { throttle } from './run/throttle.ts';
import { type DebateSettings, type DebateSettingsInput, resolveSettings } from './settings.ts';

/** What the debate engine is built from; the app wires real ones, tests wire fakes. */
export interface EngineDeps {
  db: Kysely<Database>;
  /** Where lease renewals go: a connection of its own on Postgres (never queued behind turns); `db` when absent. */
  leaseDb?: Kysely<Database> | undefined;
  llm: LlmProvider;
  bus: EventBus;
  clock: Clock;
  personas: readonly Persona[];
  settings?: DebateSettingsInput;
  log: Logger;
  /** Names this process in debate leases; stable across restarts so a restart reclaims its own leases at once. */
  instanceId: string;
  /** Prices every call; default: the built-in table (local models free). */
  prices?: PriceTable;
  /**
   * Whether a new debate may start (the LLM router's full queue, a provider that does not answer);
   * always yes when absent.
   */
  admit?: () => Admission | Promise<Admission>;
  /** Models the model server has loaded now (the LLM router's /api/ps view), for model-aware divergence order; undefined when unknown. */
  loadedModels?: () => ReadonlySet<string> | undefined;
}

type EventInput = ArenaEvent extends infer E ? (E extends ArenaEvent ? Omit<E, 'at'> : never) : never;

/** The resolved dependencies every engine module receives. */
export interface Engine {
  db: Kysely<Database>;
  llm: LlmProvider;
  bus: EventBus;
  clock: Clock;
  cast: Cast;
  settings: DebateSettings;
  log: Logger;
  instanceId: string;
  prices: PriceTable;
  /** The leases of the debates this process drives, renewed together. */
  leases: LeaseKeeper;
  /** Whether a new debate may start now: refused while the LLM queue is full or the provider is down. */
  admit(): Promise<Admission>;
  /** Models loaded on the model server now; undefined when unknown (hosted APIs, offline). */
  loadedModels(): ReadonlySet<string> | undefined;
  /** Publishes an event stamped with the clock; a failing bus is logged, never fatal. */
  emit(event: EventInput): Promise<void>;
  /** Logs a notable event and keeps it in system_logs. */
  note(level: 'info' | 'warn' | 'error', message: string, details?: Record<string, unknown>): Promise<void>;
  /** Spending changed: budget.updated follows, at most once per BUDGET_EVENT_MIN_MS. */
  budgetChanged(): void;
  /** A turn was committed: its usage and persona counters are folded in the next batch. */
  statsChanged(): void;
  /** Runs the pending fold and budget.updated now (a debate ended, the runner stops). */
  flushStats(): Promise<void>;
}

export function createEngine(deps: EngineDeps): Engine {
  const log = deps.log.child('debate');
  const settings = resolveSettings(deps.settings);
  const failed = (what: string) => (error: unknown) => log.warn(what, { error: errorText(error) });
  const budget = throttle(
    async () => {
      const { dailyUsd, monthlyUsd } = settings.budget;
      const snapshot = await budgetSnapshot(deps.db, {
        now: deps.clock.now(),
        limits: { dailyUsd, monthlyUsd },
      });
      await engine.emit({ type: 'budget.updated', budget: snapshot });
    },
    BUDGET_EVENT_MIN_MS,
    failed('budget.updated not published'),
  );
  const stats = throttle(
    async () => {
      while ((await foldTurnStats(deps.db, { limit: STATS_FOLD_BATCH })) === STATS_FOLD_BATCH) {}
    },
    STATS_FOLD_MS,
    failed('turn statistics not folded'),
  );
  const engine: Engine = {
    db: deps.db,
    llm: deps.llm,
    bus: deps.bus,
    clock: deps.clock,
    cast: createCast(deps.personas),
    settings,
    log,
    instanceId: deps.instanceId,
    prices: deps.prices ?? createPriceTable({ log }),
    leases: createLeaseKeeper({
      db: deps.leaseDb ?? deps.db,
      clock: deps.clock,
      owner: deps.instanceId,
      leaseMs: settings.leaseMs,
      renewMs: settings.leaseRenewMs,
      log,
    }),
    admit: async () => (deps.admit ? deps.admit() : { ok: true }),
    loadedModels: deps.loadedModels ?? (() => undefined),
    async emit(event) {
      try {
        await deps.bus.publish({ ...event, at: deps.clock.now().toISOString() } as ArenaEvent);
      } catch (error) {
        log.warn('event not published', { type: event.type, error: errorText(error) });
      }
    },
    async note(level, message, details) {
      // Written to system_logs just below: the batched sink must not write it again.
      log[level](message, { ...details, [STORED_IN_SYSTEM_LOGS]: true });
      try {
        await insertLog(deps.db, {
          level,
          source: 'debate',
          message,
          details: details ?? null,
          now: deps.clock.now(),
        });
      } catch (error) {
        log.warn('system log not written', { error: errorText(error) });
      }
    },
    budgetChanged: () => budget.schedule(),
    statsChanged: () => stats.schedule(),
    async flushStats() {
      await Promise.all([stats.flush(), budget.flush()]);
    },
  };
  return engine;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
