import { hostname } from 'node:os';
import type { ComponentStatus } from '../../dashboard/types.ts';
import type { Clock } from '../../engine/clock.ts';
import { createPriceTable } from '../../engine/llm/pricing.ts';
import type { ArenaContext } from '../context.ts';
import type { DebateThreadTarget } from './auto-debate.ts';
import { buildJobs, type JobSettings } from './definitions.ts';
import { createScheduler, type JobStatus, type RunOutcome, type Scheduler } from './scheduler.ts';
import { jobSettings } from './settings.ts';

export interface JobRuntime {
  scheduler: Scheduler;
  settings: JobSettings;
  /** For the dashboard's `run <job>` and `run cycle` actions. */
  actions: Record<string, () => Promise<unknown>>;
  /** PROCESSES rows, from the last status read (refreshed in the background). */
  components(): ComponentStatus[];
  refresh(): Promise<void>;
  stop(): Promise<void>;
}

/** Builds the jobs of a running arena, their scheduler and what the dashboard shows of them. */
export function createJobRuntime(props: {
  ctx: ArenaContext;
  clock: Clock;
  debateTarget?: () => DebateThreadTarget | undefined;
}): JobRuntime {
  const { ctx, clock } = props;
  const settings = jobSettings(ctx.config, ctx.personas);
  const prices = createPriceTable({ overrides: ctx.config.LLM_PRICES });
  const jobs = buildJobs({
    db: ctx.database.db,
    arena: ctx.arena,
    llm: ctx.llm,
    clock,
    log: ctx.log,
    settings,
    ...(props.debateTarget ? { debateTarget: props.debateTarget } : {}),
    price: (p, m, i, o) => prices.priceOf(p, m, i, o),
  });
  const scheduler = createScheduler({
    db: ctx.database.db,
    clock,
    log: ctx.log,
    // Embedded: one process per data dir. Postgres: one owner per process, so leases never mix.
    owner: ctx.database.dialect === 'pglite' ? 'embedded' : `${hostname()}:${process.pid}`,
    jobs,
  });
  let last: JobStatus[] = [];
  const refresh = async () => {
    last = await scheduler.status().catch(() => last);
  };
  const timer = setInterval(() => void refresh(), 15_000);
  timer.unref();
  const runOrThrow = async (name: string) => {
    const outcome = await scheduler.run(name, 'manual');
    await refresh();
    return outcomeOrThrow(name, outcome);
  };
  const actions: Record<string, () => Promise<unknown>> = Object.fromEntries(
    scheduler.names().map((n) => [n, () => runOrThrow(n)]),
  );
  actions.cycle = async () => {
    for (const n of ['signals.fetch', 'trends.analyze', 'ideas.generate']) await runOrThrow(n);
  };
  return {
    scheduler,
    settings,
    actions,
    refresh,
    components: () => last.map(toComponent),
    async stop() {
      clearInterval(timer);
      await scheduler.stop();
    },
  };
}

function outcomeOrThrow(name: string, outcome: RunOutcome): unknown {
  if (!outcome.ran)
    throw new Error(outcome.reason === 'busy' ? `${name} is already running` : `no job ${name}`);
  if (!outcome.ok) throw new Error(outcome.error);
  return outcome.result;
}

/** A job as a PROCESSES row: last run, duration, result or error, next run. */
export function toComponent(j: JobStatus): ComponentStatus {
  const result = j.lastResult
    ? Object.entries(j.lastResult)
        .filter(([, v]) => typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean')
        .slice(0, 4)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')
    : '';
  const took = j.lastDurationMs !== null ? `${(j.lastDurationMs / 1000).toFixed(1)} s` : '';
  return {
    id: `job:${j.name}`,
    name: j.name,
    kind: 'job',
    status: j.running ? 'running' : !j.enabled ? 'disabled' : j.lastStatus === 'error' ? 'error' : 'idle',
    detail: !j.enabled
      ? (j.disabledReason ?? 'off')
      : [j.schedule, took && `last ${took}`, result].filter(Boolean).join(' · '),
    lastRunAt: j.lastStartedAt,
    nextRunAt: j.nextRunAt,
    lastError: j.lastStatus === 'error' ? j.lastError : null,
  };
}
