import type { Command } from 'commander';
import { z } from 'zod';
import type { Arena } from '../../engine/api.ts';
import { MAX_ROUNDS } from '../../engine/constants.ts';
import { DebateInputError } from '../../engine/debate/errors.ts';
import { exportDebateMarkdown } from '../../engine/debate/export.ts';
import { pauseReasonText } from '../../engine/debate/labels.ts';
import type { DebateRunner } from '../../engine/debate/run/runner.ts';
import type { ArenaEvent, EventBus } from '../../engine/events.ts';
import { oneLineSafe } from '../../engine/text/sanitize.ts';
import { RuntimeFailure, UsageError } from '../errors.ts';
import { type RemoteArena, runRemoteDebate } from './debate-remote.ts';
import {
  createTerminalRenderer,
  formatResult,
  formatTranscript,
  type Output,
  phaseProgress,
  stdoutOutput,
  styleFor,
} from './debate-render.ts';
import { langFromLocale } from './lang.ts';
import type { DebateReader } from './open-reader.ts';
import { parseOptions } from './options.ts';
import { refusalFailure } from './refusal.ts';

/** An arena opened for one command: the lead's composition root builds it from config. */
export interface OpenedArena {
  arena: Arena;
  runner: DebateRunner;
  bus: EventBus;
  close(): Promise<void>;
}

export interface DebateCommandDeps {
  /**
   * Opens config, database, LLM provider (`provider` overrides LLM_PROVIDER) and bus; or, while a
   * running `arena start` holds the embedded database, that server (the debate runs there).
   */
  open(opts: { provider?: string }): Promise<OpenedArena | RemoteArena>;
  /**
   * For `debates list|show|export`: the debates without a model (nothing probed), from the database
   * or through the running server that holds it; `open` when not given.
   */
  openRead?(): Promise<{ arena: DebateReader; close(): Promise<void> }>;
  out?: Output;
  env?: Record<string, string | undefined>;
}

const wholeNumber = (max: number) =>
  z.coerce
    .number({ error: `expected a whole number from 1 to ${max}` })
    .int(`expected a whole number from 1 to ${max}`)
    .min(1, `expected a whole number from 1 to ${max}`)
    .max(max, `expected a whole number from 1 to ${max}`);
const oneOf = <T extends string>(values: readonly [T, ...T[]]) =>
  z.enum(values, { error: `expected one of ${values.join(', ')}` });

const DebateOptions = z.object({
  rounds: wholeNumber(MAX_ROUNDS).optional(),
  lang: oneOf(['ko', 'en']).optional(),
  provider: oneOf(['auto', 'ollama', 'openai', 'offline']).optional(),
  json: z.boolean().optional(),
});

const ListOptions = z.object({
  status: oneOf(['active', 'paused', 'completed', 'cancelled', 'failed']).optional(),
  limit: wholeNumber(500).default(20),
  json: z.boolean().optional(),
});

const ExportOptions = z.object({
  format: oneOf(['md', 'json']).default('md'),
  lang: oneOf(['ko', 'en']).optional(),
});

/** `arena debate "<idea>"` and `arena debates list|show|export`. */
export function registerDebateCommands(program: Command, deps: DebateCommandDeps): void {
  const out = deps.out ?? stdoutOutput();
  const env = deps.env ?? process.env;
  const style = styleFor(out, env);

  program
    .command('debate')
    .description('run one whole debate in the terminal: divergence, convergence, planning')
    .argument('<idea>', 'the idea, in a sentence or two')
    .option('--rounds <n>', 'divergence rounds')
    .option('--lang <lang>', 'ko or en')
    .option('--provider <name>', 'auto, ollama, openai or offline (overrides LLM_PROVIDER)')
    .option('--json', 'print one JSON event per line instead of text')
    .action(async (idea: string, raw: unknown) => {
      const opts = parseOptions(DebateOptions, raw);
      const opened = await deps.open(opts.provider ? { provider: opts.provider } : {});
      const lang = opts.lang ?? langFromLocale(env);
      try {
        if ('server' in opened) await runRemoteDebate(opened, { idea, ...opts, lang, out, style });
        else await runDebate(opened, { idea, ...opts, lang, out, style });
      } finally {
        await opened.close();
      }
    });

  const debates = program.command('debates').description('list, show and export debates');
  debates
    .command('list')
    .description('recent debates, newest first')
    .option('--status <status>', 'only debates in this status')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .action(async (raw: unknown) => {
      const opts = parseOptions(ListOptions, raw);
      await withArena(deps, async ({ arena }) => {
        const list = await arena.listDebates({ status: opts.status, limit: opts.limit });
        if (opts.json) return out.write(`${JSON.stringify(list)}\n`);
        if (list.length === 0) return out.write('no debates yet\n');
        for (const d of list) {
          const state = `${d.status}${d.outcome ? `/${d.outcome}` : ''}`;
          out.write(
            `${d.id}  ${state.padEnd(26)} ${phaseProgress(d, 'en').padEnd(26)} ${String(d.messageCount).padStart(4)} msgs  $${d.costUsd.toFixed(4)}  ${oneLineSafe(d.title)}\n`,
          );
        }
      });
    });
  debates
    .command('show')
    .description('a debate with its transcript and plan')
    .argument('<id>', 'debate id')
    .option('--json', 'print JSON')
    .action(async (id: string, raw: { json?: boolean }) => {
      await withArena(deps, async ({ arena }) => {
        const d = await found(arena, id);
        if (raw.json) return out.write(`${JSON.stringify(d)}\n`);
        out.write(formatTranscript(d, style, d.lang));
      });
    });
  debates
    .command('export')
    .description('a debate as a Markdown document (phases, references, plan) or JSON')
    .argument('<id>', 'debate id')
    .option('--format <format>', 'md or json', 'md')
    .option('--lang <lang>', 'labels in ko or en (default: the debate language)')
    .action(async (id: string, raw: unknown) => {
      const opts = parseOptions(ExportOptions, raw);
      await withArena(deps, async ({ arena }) => {
        const d = await found(arena, id);
        out.write(
          opts.format === 'json'
            ? `${JSON.stringify(d, null, 2)}\n`
            : exportDebateMarkdown(d, opts.lang ?? d.lang),
        );
      });
    });
}

async function withArena(
  deps: DebateCommandDeps,
  fn: (opened: { arena: DebateReader }) => Promise<unknown>,
): Promise<void> {
  const opened = deps.openRead ? await deps.openRead() : await deps.open({});
  if (!('arena' in opened)) {
    await opened.close();
    throw new RuntimeFailure('the debates cannot be read here');
  }
  try {
    await fn(opened);
  } finally {
    await opened.close();
  }
}

async function found(arena: DebateReader, id: string) {
  const d = await arena.getDebate(id);
  if (!d) throw new UsageError(`no debate with id ${id} (see \`arena debates list\`)`);
  return d;
}

interface RunOptions extends z.infer<typeof DebateOptions> {
  idea: string;
  out: Output;
  style: ReturnType<typeof styleFor>;
}

async function runDebate(opened: OpenedArena, o: RunOptions): Promise<void> {
  const { arena, runner, bus } = opened;
  const lang = o.lang ?? 'en';
  const render = o.json
    ? (e: ArenaEvent) => o.out.write(`${JSON.stringify(e)}\n`)
    : createTerminalRenderer({ out: o.out, style: o.style, personas: arena.personas(), lang });
  // Events published before the id is known (debate.created) wait here.
  let debateId: string | undefined;
  const early: ArenaEvent[] = [];
  const mine = (e: ArenaEvent) => e.type === 'budget.updated' || ('debateId' in e && e.debateId === debateId);
  const unsubscribe = bus.subscribe((e) => {
    if (debateId === undefined) early.push(e);
    else if (mine(e)) render(e);
  });
  // Ctrl-C abandons the turn in flight; the debate stays active and resumes on the next start.
  const interrupt = () => void runner.stop();
  process.once('SIGINT', interrupt);
  // Nobody reads any more (`| head`): stop like Ctrl-C, and end quietly.
  let readerGone = false;
  o.out.onClose?.(() => {
    readerGone = true;
    interrupt();
  });
  try {
    const started = await arena
      .startDebate({ idea: o.idea, origin: 'cli', ...(o.rounds ? { rounds: o.rounds } : {}), lang })
      .catch((error: unknown) => {
        if (error instanceof DebateInputError) throw new UsageError(error.message);
        throw refusalFailure(error);
      });
    debateId = started.debateId;
    for (const e of early.splice(0)) if (mine(e)) render(e);
    const end = await runner.run(debateId);
    const detail = await arena.getDebate(debateId);
    if (!o.json && detail) o.out.write(`\n${formatResult(detail, o.style, lang)}`);
    if (end !== 'completed' && !readerGone) {
      const why = detail?.pauseReason
        ? `${detail.status}: ${pauseReasonText(detail.pauseReason, 'en')}`
        : end;
      throw new RuntimeFailure(`debate ${debateId} did not finish (${why})`);
    }
  } finally {
    process.off('SIGINT', interrupt);
    unsubscribe();
  }
}
