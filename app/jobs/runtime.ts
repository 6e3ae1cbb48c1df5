import { hostname } from 'node:os';
import type { ComponentStatus } from '../../dashboard/types.ts';
import type { Clock } from '../../engine/clock.ts';
import { createPriceTable } from '../../engine/llm/pricing.ts';
import { chatPlatformOff } from '../config.ts';
import type { ArenaContext } from '../context.ts';
import { debateTargetOf } from './auto-debate.ts';
import { CYCLE_STEPS, cycleLine, runCycle } from './cycle.ts';
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
export function createJobRuntime(props: { ctx: ArenaContext; clock: Clock }): JobRuntime {
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
    // Any process may run it (a worker, the CLI): the thread is opened by a bot process.
    debateTarget: () =>
      debateTargetOf(ctx.config.AUTO_DEBATE_CHANNEL, (p) => chatPlatformOff(ctx.config, p) === null),
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
  // The dashboard's `run cycle`: the whole loop like `arena cycle`, its progress in OUTPUT (bus log
  // events) and in a PROCESSES row; the debate itself shows in LIVE DEBATE as any other.
  const cycle: CycleState = {
    running: false,
    step: null,
    startedAt: null,
    lastError: null,
    lastResult: null,
  };
  actions.cycle = async () => {
    if (cycle.running) throw new Error('a cycle is already running');
    Object.assign(cycle, {
      running: true,
      step: null,
      startedAt: clock.now().toISOString(),
      lastError: null,
    });
    const say = (message: string) =>
      ctx.bus
        .publish({ type: 'log', at: clock.now().toISOString(), level: 'info', source: 'job:cycle', message })
        .catch(() => {});
    let pending = '';
    try {
      const result = await runCycle(
        { scheduler, db: ctx.database.db, arena: ctx.arena, runner: ctx.runner, bus: ctx.bus },
        (p) => {
          if (p.kind === 'message') return; // LIVE DEBATE shows the messages
          if (p.kind === 'step') {
            cycle.step = `${p.n}/${CYCLE_STEPS} ${p.label}`;
            pending = cycleLine(p);
            return;
          }
          if (p.kind === 'debate') cycle.step = `4/${CYCLE_STEPS} debating`;
          void say(p.kind === 'step.done' ? `${pending} ${cycleLine(p)}` : cycleLine(p).trim());
          void refresh();
        },
      );
      if (result.debated && result.end !== 'completed')
        throw new Error(`debate ${result.debateId} did not finish (${result.pauseReason ?? result.end})`);
      cycle.lastResult = !result.debated
        ? 'no pending idea'
        : result.planTitle
          ? `plan "${result.planTitle.slice(0, 80)}"`
          : `outcome ${result.outcome ?? 'none'}`;
      return result;
    } catch (error) {
      cycle.lastError = error instanceof Error ? error.message : String(error);
      throw error;
    } finally {
      cycle.running = false;
      cycle.step = null;
      await refresh();
    }
  };
  return {
    scheduler,
    settings,
    actions,
    refresh,
    components: () => [...last.map(toComponent), ...(cycle.startedAt ? [cycleComponent(cycle)] : [])],
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

interface CycleState {
  running: boolean;
  /** The step in progress, e.g. `3/5 writing ideas`. */
  step: string | null;
  startedAt: string | null;
  lastError: string | null;
  lastResult: string | null;
}

/** The dashboard's last (or current) `run cycle` as a PROCESSES row. */
function cycleComponent(c: CycleState): ComponentStatus {
  return {
    id: 'job:cycle',
    name: 'cycle',
    kind: 'job',
    status: c.running ? 'running' : c.lastError ? 'error' : 'idle',
    detail: c.running
      ? `step ${c.step ?? '…'}`
      : `fetch → trends → ideas → debate → plan${c.lastResult ? ` · ${c.lastResult}` : ''}`,
    lastRunAt: c.startedAt,
    nextRunAt: null,
    lastError: c.lastError,
  };
}
