import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { connectDatabase, type DatabaseHandle } from '../db/connect.ts';
import { DataDirLockedError } from '../db/data-dir-lock.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { isDatabaseUnavailable, retryWhileDatabaseDown } from '../db/outage.ts';
import type { Arena } from '../engine/api.ts';
import { createArena } from '../engine/arena.ts';
import { createMemoryBus } from '../engine/bus/memory-bus.ts';
import { type Cache, noCache } from '../engine/cache/types.ts';
import { invalidateOnWrite } from '../engine/cache/watch-writes.ts';
import { type Clock, systemClock } from '../engine/clock.ts';
import type { DebateRunner } from '../engine/debate/run/runner.ts';
import type { EventBus } from '../engine/events.ts';
import { createPriceTable } from '../engine/llm/pricing.ts';
import { type LlmRouter, routeProvider } from '../engine/llm/router/index.ts';
import { createRateGate } from '../engine/llm/router/rate-gate.ts';
import { type ProviderMode, selectProvider } from '../engine/llm/select.ts';
import type { LlmProvider } from '../engine/llm/types.ts';
import type { Logger } from '../engine/log.ts';
import { loadCatalog } from '../personas/index.ts';
import type { Persona } from '../personas/types.ts';
import type { Config } from './config.ts';
import { RuntimeFailure } from './errors.ts';
import { createHealth, type Health } from './health.ts';
import { reportLlmHealth } from './llm-health.ts';
import { createProviderAdmission } from './provider-admission.ts';
import { CLI_OFFLINE, providerProblem, SERVER_OFFLINE } from './provider-check.ts';

/** Everything a command needs to run debates, built from config; close() releases it all. */
export interface ArenaContext {
  config: Config;
  log: Logger;
  personas: readonly Persona[];
  database: DatabaseHandle;
  llm: LlmProvider;
  /** The router in front of the provider (the same object as llm), for the PROCESSES panel and /metrics. */
  router: LlmRouter;
  /** One line saying which LLM provider runs and why. */
  llmDescription: string;
  bus: EventBus;
  busKind: 'memory' | 'redis';
  /** Hot reads for viewers (Redis when REDIS_URL is set, else the no-op cache); see engine/cache. */
  cache: Cache;
  arena: Arena;
  runner: DebateRunner;
  /** Each component's status, last error and since when (the LLM and Redis report their outages). */
  health: Health;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Overrides LLM_PROVIDER (e.g. `arena debate --provider offline`). */
  provider?: ProviderMode;
  /**
   * When the embedded database is held by a running `arena start`, run in a throwaway in-memory
   * database instead of failing (for a one-off `arena debate`).
   */
  memoryIfLocked?: boolean;
  /** Throw the DataDirLockedError itself, so the caller can read through the running server. */
  lockedError?: boolean;
  /** A server rather than a one-off command: worth a child process to keep initdb's memory out. */
  longRunning?: boolean;
  /** Tests: this provider instead of the one LLM_PROVIDER selects (still behind the router). */
  llm?: LlmProvider;
  /** Tests: the engine's clock (default: the system clock). */
  clock?: Clock;
  /**
   * A one-off command's `system_logs` writer: attached once the database is migrated, and closed
   * (its last rows written) before the database closes.
   */
  systemLogs?: { attach(db: DatabaseHandle['db']): void; close(): Promise<void> };
}

/** Opens personas, database (migrated), LLM provider, event bus and engine, in that order. */
export async function openArenaContext(
  config: Config,
  log: Logger,
  opts: OpenOptions = {},
): Promise<ArenaContext> {
  const closers: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const fn of closers.reverse()) {
      await fn().catch((e) =>
        log.warn('close failed', { error: e instanceof Error ? e.message : String(e) }),
      );
    }
  };
  try {
    // A bad persona file stops the start before anything is opened (exit code 2, naming the file).
    const personas = await loadCatalog({ extraDir: config.PERSONAS_DIR });
    const health = createHealth(systemClock);
    // Redis first: an unreachable REDIS_URL fails the start at once, before the database is opened.
    const busKind = config.REDIS_URL ? 'redis' : 'memory';
    // ioredis is imported only when Redis is configured: an idle arena without it never loads it.
    const bus = config.REDIS_URL
      ? await (await import('../engine/bus/redis-bus.ts'))
          .createRedisBus({
            url: config.REDIS_URL,
            channel: `${config.REDIS_PREFIX}events`,
            onListenerError: (e) => log.warn('event listener failed', { error: errorText(e) }),
            onMalformed: () => log.warn('ignored a malformed event on the Redis bus'),
            onConnection: (e) => {
              if (e) {
                health.fail('bus', `Redis: ${errorText(e)}`);
                log.error(`event bus: Redis unreachable (${errorText(e)}); reconnecting`);
              } else {
                health.recover('bus');
                log.info('event bus: Redis is back');
              }
            },
          })
          .catch((e) => {
            throw new RuntimeFailure(`REDIS_URL: cannot connect (${errorText(e)})`);
          })
      : createMemoryBus({
          onListenerError: (e) => log.warn('event listener failed', { error: errorText(e) }),
        });
    closers.push(() => bus.close());
    const cache = config.REDIS_URL
      ? await (await import('../engine/cache/redis-cache.ts'))
          .createRedisCache({
            url: config.REDIS_URL,
            prefix: `${config.REDIS_PREFIX}cache:`,
            log,
            onConnection: (e) =>
              e ? health.fail('cache', `Redis: ${errorText(e)}`) : health.recover('cache'),
          })
          .catch((e) => {
            throw new RuntimeFailure(`REDIS_URL: cannot connect (${errorText(e)})`);
          })
      : noCache;
    closers.push(() => cache.close());

    if (!config.DATABASE_URL && !existsSync(config.pgliteDir))
      log.info(
        `database: creating the embedded database in ${config.pgliteDir} (first start, a few seconds)`,
      );
    const opened = await openDatabaseFor(config, log, opts);
    closers.push(() => opened.close());
    // Every writer uses this handle, so every committed write drops the cached reads it makes stale.
    const database: DatabaseHandle = opened;
    const unwatch = invalidateOnWrite(opened.writes, cache);
    closers.push(async () => unwatch());
    // A server waits out a database that goes away mid-migration (each migration is a transaction).
    const migrate = async () => {
      const r = await migrateToLatest(database.db);
      if (opts.longRunning && r.error && isDatabaseUnavailable(r.error)) throw r.error;
      return r;
    };
    const report = opts.longRunning
      ? await retryWhileDatabaseDown('database: migrate', migrate, { warn: (m) => log.warn(m) })
      : await migrate();
    if (report.error) throw new RuntimeFailure(`migration failed: ${errorText(report.error)}`);
    if (report.applied.length) log.info(`database: applied ${report.applied.length} migration(s)`);
    if (opts.systemLogs) {
      opts.systemLogs.attach(database.db);
      closers.push(() => opts.systemLogs!.close());
    }

    // One 429 gate, shared by the OpenAI-compatible provider and the router's queue.
    const gate = createRateGate();
    const { provider, description: llmDescription } = opts.llm
      ? { provider: opts.llm, description: `${opts.llm.name} (given)` }
      : await selectProvider({
          gate,
          mode: opts.provider ?? config.LLM_PROVIDER,
          ollamaHost: config.OLLAMA_HOST,
          openai: config.OPENAI_BASE_URL
            ? {
                baseUrl: config.OPENAI_BASE_URL,
                apiKey: config.OPENAI_API_KEY,
                modelMap: config.OPENAI_MODEL_MAP,
              }
            : undefined,
          personas,
          log: log.child('llm'),
          timeoutMs: config.LLM_TIMEOUT_MS,
          offlineTurnDelayMs: config.OFFLINE_TURN_DELAY_MS,
        });
    const router = routeProvider(
      reportLlmHealth(provider, {
        failed: (error) => health.fail('llm', error),
        ok: () => health.recover('llm'),
      }),
      {
        concurrency: config.LLM_CONCURRENCY,
        gate,
        ollamaHost: config.OLLAMA_HOST,
        log: log.child('llm-router'),
      },
    );
    const llm: LlmProvider = router;
    // A provider that does not answer refuses new debates (dashboard 503, chat refusal, CLI exit 1)
    // instead of creating debates that pause at their first turn; the refusal shows in health too.
    const providerAdmission = createProviderAdmission({
      problem: () =>
        providerProblem(router, llmDescription, {
          ollamaHost: config.OLLAMA_HOST,
          fallback: opts.longRunning ? SERVER_OFFLINE : CLI_OFFLINE,
        }),
      // Real time even under a test's fixed engine clock: it times network answers, not debates.
      clock: systemClock,
      onProblem: (problem) => health.fail('llm', problem),
    });

    const { arena, runner } = createArena({
      db: database.db,
      leaseDb: database.leaseDb,
      llm,
      bus,
      clock: opts.clock ?? systemClock,
      personas,
      settings: {
        rounds: config.DEBATE_ROUNDS,
        maxDebates: config.ARENA_MAX_DEBATES,
        budget: {
          dailyUsd: config.BUDGET_DAILY_USD,
          monthlyUsd: config.BUDGET_MONTHLY_USD,
          debateUsd: config.DEBATE_BUDGET_USD,
        },
      },
      prices: createPriceTable({ overrides: config.LLM_PRICES, log }),
      // A full model queue refuses new debates (dashboard 503, chat refusal, CLI exit 75), and so
      // does a provider that does not answer.
      admit: async () => {
        const queue = router.admit();
        return queue.ok ? providerAdmission() : queue;
      },
      // A divergence round goes model by model, loaded models first (fewer model loads).
      loadedModels: () => router.loadedModels(),
      log,
      // Embedded: the data-dir lock already makes this the only process, so a restart may take its
      // leases back at once. Postgres: one id per process, so two processes never share a lease.
      instanceId: database.dialect === 'pglite' ? 'embedded' : `${hostname()}:${process.pid}`,
    });
    closers.push(() => runner.stop());

    return {
      config,
      log,
      personas,
      database,
      llm,
      router,
      llmDescription,
      bus,
      busKind,
      cache,
      arena,
      runner,
      health,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

async function openDatabaseFor(config: Config, log: Logger, opts: OpenOptions): Promise<DatabaseHandle> {
  try {
    return await connectDatabase({
      databaseUrl: config.DATABASE_URL,
      connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
      pgliteDataDir: config.pgliteDir,
      initdbInChild: opts.longRunning ?? false,
      // Queries in flight fail and are retried by their owners; the health probe reports the outage.
      onPoolError: (error) => log.warn('database connection lost', { error: errorText(error) }),
    });
  } catch (error) {
    if (error instanceof DataDirLockedError && opts.lockedError) throw error;
    if (error instanceof DataDirLockedError && opts.memoryIfLocked) {
      log.warn(`${error.message}; running in a throwaway in-memory database instead (nothing is kept)`);
      return connectDatabase({ pgliteDataDir: 'memory://' });
    }
    if (error instanceof DataDirLockedError) throw new RuntimeFailure(error.message);
    if (config.DATABASE_URL) throw new RuntimeFailure(`DATABASE_URL: cannot connect (${errorText(error)})`);
    throw error;
  }
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
