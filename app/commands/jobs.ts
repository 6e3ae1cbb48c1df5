import type { Command } from 'commander';
import { DataDirLockedError } from '../../db/data-dir-lock.ts';
import { type Clock, systemClock } from '../../engine/clock.ts';
import type { LlmProvider } from '../../engine/llm/types.ts';
import type { Config } from '../config.ts';
import { RuntimeFailure, UsageError } from '../errors.ts';
import { CycleStepError, cycleLine, runCycle } from '../jobs/cycle.ts';
import { createJobRuntime, type JobRuntime } from '../jobs/runtime.ts';
import type { JobStatus } from '../jobs/scheduler.ts';
import { createCommandLog } from './command-log.ts';
import { table } from './open-store.ts';
import { refusalFailure } from './refusal.ts';
import { dashboardAddress, findRunningServer } from './server-client.ts';

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
      const list = await jobStatus(deps);
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

  jobs
    .command('run')
    .description('run one job now (skipped when another process is running it)')
    .argument('<name>', 'job name, e.g. signals.fetch')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { json?: boolean }) => {
      await withJobs(deps, `jobs run ${name}`, async (rt) => {
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
        'cycle',
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
            throw refusalFailure(error);
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

/** Each job's status: from the database, or through the running arena that holds it. No model is probed. */
async function jobStatus(deps: JobsCommandDeps): Promise<JobStatus[]> {
  const config = deps.config();
  const commandLog = createCommandLog(config);
  const { openArenaContext } = await import('../context.ts');
  const ctx = await openArenaContext(config, commandLog.log, {
    // Listing reads rows: the offline provider stands in, so no model server is asked anything.
    provider: 'offline',
    lockedError: true,
    systemLogs: commandLog,
    ...(deps.clock ? { clock: deps.clock } : {}),
  }).catch(async (error: unknown) => {
    if (!(error instanceof DataDirLockedError)) throw error;
    const server = await findRunningServer(config);
    if (!server)
      throw new RuntimeFailure(
        `${error.message}; its dashboard at ${dashboardAddress(config)} does not answer, so it cannot be read through it`,
      );
    process.stderr.write(
      `(read through the running arena at ${server.url}: it holds the embedded database)\n`,
    );
    return server;
  });
  if ('url' in ctx) return (await ctx.get<{ jobs: JobStatus[] }>('/api/jobs')).jobs;
  const rt = createJobRuntime({ ctx, clock: deps.clock ?? systemClock });
  try {
    return await rt.scheduler.status();
  } finally {
    await rt.stop();
    await ctx.close();
  }
}

async function withJobs(
  deps: JobsCommandDeps,
  command: string,
  fn: (rt: JobRuntime, ctx: import('../context.ts').ArenaContext) => Promise<unknown>,
  provider?: string,
): Promise<void> {
  const config = deps.config();
  const { openArenaContext } = await import('../context.ts');
  if (provider && !PROVIDERS.includes(provider as (typeof PROVIDERS)[number]))
    throw new UsageError(`--provider: expected one of ${PROVIDERS.join(', ')}`);
  const commandLog = createCommandLog(config);
  const ctx = await openArenaContext(config, commandLog.log, {
    ...(provider ? { provider: provider as (typeof PROVIDERS)[number] } : {}),
    ...(deps.llm ? { llm: deps.llm } : {}),
    ...(deps.clock ? { clock: deps.clock } : {}),
    lockedError: true,
    systemLogs: commandLog,
  }).catch((error: unknown) => {
    // A run cannot go around the process that holds the embedded database.
    if (error instanceof DataDirLockedError)
      throw new RuntimeFailure(
        `${error.message}; run it from its dashboard (${dashboardAddress(config)}), or stop it first`,
      );
    throw error;
  });
  const rt = createJobRuntime({ ctx, clock: deps.clock ?? systemClock });
  try {
    await fn(rt, ctx);
  } catch (error) {
    commandLog.failed(command, error);
    throw error;
  } finally {
    await rt.stop();
    await ctx.close();
  }
}
