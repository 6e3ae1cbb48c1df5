import type { Command } from 'commander';
import { topPendingIdea } from '../../db/repositories/ideas.ts';
import { systemClock } from '../../engine/clock.ts';
import type { ArenaEvent } from '../../engine/events.ts';
import { createConsoleLogger } from '../../engine/log.ts';
import type { Config } from '../config.ts';
import { RuntimeFailure, UsageError } from '../errors.ts';
import { createJobRuntime, type JobRuntime } from '../jobs/runtime.ts';
import { table } from './open-store.ts';

export interface JobsCommandDeps {
  config: () => Config;
  write?: (text: string) => void;
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
          const step = async (n: number, label: string, name: string) => {
            write(`[${n}/5] ${label}… `);
            const outcome = await rt.scheduler.run(name, 'manual');
            if (!outcome.ran)
              throw new RuntimeFailure(`${name} is running in another process; try again later`);
            if (!outcome.ok) throw new RuntimeFailure(`${name} failed: ${outcome.error}`);
            write(`${summary(outcome.result)}\n`);
          };
          await step(1, 'fetching feeds', 'signals.fetch');
          await step(2, 'finding trends', 'trends.analyze');
          await step(3, 'writing ideas', 'ideas.generate');
          const idea = await topPendingIdea(ctx.database.db);
          if (!idea) {
            write('[4/5] no pending idea to debate; add one with `arena ideas add "…"`\n');
            return;
          }
          write(`[4/5] debating "${idea.title}"\n`);
          let debateId: string | undefined;
          const unsubscribe = ctx.bus.subscribe((e: ArenaEvent) => {
            if (!('debateId' in e) || e.debateId !== debateId) return;
            if (e.type === 'phase.changed') write(`      ${e.phase} · round ${e.round}/${e.totalRounds}\n`);
            if (e.type === 'message.created')
              write(
                `      ${e.message.agentName}: ${e.message.content.replace(/\s+/g, ' ').slice(0, 100)}\n`,
              );
          });
          try {
            const started = await ctx.arena.startDebate({
              ideaId: idea.id,
              origin: 'cli',
              startedBy: 'arena cycle',
            });
            debateId = started.debateId;
            const end = await ctx.runner.run(debateId);
            const detail = await ctx.arena.getDebate(debateId);
            if (end !== 'completed')
              throw new RuntimeFailure(`debate ${debateId} did not finish (${detail?.pauseReason ?? end})`);
            write(
              detail?.plan
                ? `[5/5] plan "${detail.plan.title}" written (arena debates export ${debateId})\n`
                : `[5/5] outcome: ${detail?.outcome ?? 'none'}; no plan (only selected ideas get one)\n`,
            );
          } finally {
            unsubscribe();
          }
        },
        opts.provider,
      );
    });
}

const PROVIDERS = ['auto', 'ollama', 'openai', 'offline'] as const;

function summary(result: Record<string, unknown> | null): string {
  if (!result) return 'done';
  return Object.entries(result)
    .map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');
}

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
  const ctx = await openArenaContext(
    config,
    log,
    provider ? { provider: provider as (typeof PROVIDERS)[number] } : {},
  );
  const rt = createJobRuntime({ ctx, clock: systemClock });
  try {
    await fn(rt, ctx);
  } finally {
    await rt.stop();
    await ctx.close();
  }
}
