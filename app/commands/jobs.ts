import type { Command } from 'commander';
import { type Clock, systemClock } from '../../engine/clock.ts';
import type { LlmProvider } from '../../engine/llm/types.ts';
import { createConsoleLogger } from '../../engine/log.ts';
import type { Config } from '../config.ts';
import { RuntimeFailure, UsageError } from '../errors.ts';
import { CycleStepError, cycleLine, runCycle } from '../jobs/cycle.ts';
import { createJobRuntime, type JobRuntime } from '../jobs/runtime.ts';
import { table } from './open-store.ts';

export interface JobsCommandDeps {
  config: () => Config;
  write?: (text: string) => void;
  /** Tests: the LLM provider instead of the configured one. */
  llm?: LlmProvider;
  /** Tests: the clock of the engine and the jobs. */
  clock?: Clock;
}

/** `arena jobs list|run <name>` and `arena cycle`. */
export function registerJobsCommands(program: Command, deps: JobsCommandDeps): void {
  const write = deps.write ?? ((t: string) => process.stdout.write(t));
  const jobs = program
    .command('jobs')
    .description('scheduled jobs: signals.fetch, trends.analyze, ideas.generate, debate.auto, retention');

  jobs
    .command('list')
    .description('each job with its schedule, last run, result or error, and next run')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      await withJobs(deps, async (rt) => {
        const list = await rt.scheduler.status();
        if (opts.json) return write(`${JSON.stringify(list)}\n`);
        const when = (d: string | null) => (d ? d.slice(0, 16).replace('T', ' ') : '-');
        write(
          `${table([
            ['JOB', 'SCHEDULE', 'ON', 'LAST RUN', 'TOOK', 'RESULT', 'NEXT'],
            ...list.map((j) => [
              j.name,
              j.schedule,
              j.enabled ? 'yes' : `no (${j.disabledReason ?? 'off'})`,
              when(j.lastStartedAt),
              j.lastDurationMs === null ? '-' : `${(j.lastDurationMs / 1000).toFixed(1)} s`,
              j.lastStatus === 'error'
                ? `error: ${(j.lastError ?? '').slice(0, 50)}`
                : j.lastResult
                  ? JSON.stringify(j.lastResult).slice(0, 60)
                  : '-',
              when(j.nextRunAt),
            ]),
          ])}\n`,
        );
      });
    });

  jobs
    .command('run')
    .description('run one job now (skipped when another process is running it)')
    .argument('<name>', 'job name, e.g. signals.fetch')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { json?: boolean }) => {
      await withJobs(deps, async (rt) => {
        if (!rt.scheduler.names().includes(name))
          throw new UsageError(`no job "${name}"; jobs: ${rt.scheduler.names().join(', ')}`);
        const outcome = await rt.scheduler.run(name, 'manual');
        if (opts.json) write(`${JSON.stringify(outcome)}\n`);
        if (!outcome.ran) throw new RuntimeFailure(`${name} is already running in another process`);
        if (!outcome.ok) throw new RuntimeFailure(`${name} failed: ${outcome.error}`);
        if (!opts.json)
          write(
            `${name}: ok in ${(outcome.durationMs / 1000).toFixed(1)} s ${JSON.stringify(outcome.result)}\n`,
          );
      });
    });

  program
    .command('cycle')
    .description('the whole loop once: fetch feeds → trends → ideas → debate the top idea → plan')
    .option('--provider <name>', 'auto, ollama, openai or offline (overrides LLM_PROVIDER)')
    .action(async (opts: { provider?: string }) => {
      await withJobs(
        deps,
        async (rt, ctx) => {
          const result = await runCycle(
            {
              scheduler: rt.scheduler,
              db: ctx.database.db,
              arena: ctx.arena,
              runner: ctx.runner,
              bus: ctx.bus,
            },
            // A step's start and its result share a line: `[1/5] fetching feeds… feeds 2, added 3`.
            (p) => write(p.kind === 'step' ? `${cycleLine(p)} ` : `${cycleLine(p)}\n`),
          ).catch((error: unknown) => {
            if (error instanceof CycleStepError) throw new RuntimeFailure(error.message);
            throw error;
          });
          if (result.debated && result.end !== 'completed')
            throw new RuntimeFailure(
              `debate ${result.debateId} did not finish (${result.pauseReason ?? result.end})`,
            );
        },
        opts.provider,
      );
    });
}

const PROVIDERS = ['auto', 'ollama', 'openai', 'offline'] as const;

async function withJobs(
  deps: JobsCommandDeps,
  fn: (rt: JobRuntime, ctx: import('../context.ts').ArenaContext) => Promise<unknown>,
  provider?: string,
): Promise<void> {
  const config = deps.config();
  const log = createConsoleLogger({ level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL });
  const { openArenaContext } = await import('../context.ts');
  if (provider && !PROVIDERS.includes(provider as (typeof PROVIDERS)[number]))
    throw new UsageError(`--provider: expected one of ${PROVIDERS.join(', ')}`);
  const ctx = await openArenaContext(config, log, {
    ...(provider ? { provider: provider as (typeof PROVIDERS)[number] } : {}),
    ...(deps.llm ? { llm: deps.llm } : {}),
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  const rt = createJobRuntime({ ctx, clock: deps.clock ?? systemClock });
  try {
    await fn(rt, ctx);
  } finally {
    await rt.stop();
    await ctx.close();
  }
}
