import { Command, CommanderError } from 'commander';
import type { ProviderMode } from '../engine/llm/select.ts';
import { createConsoleLogger } from '../engine/log.ts';
import pkg from '../package.json' with { type: 'json' };
import { loadCatalog } from '../personas/index.ts';
import { registerDbCommands } from './commands/db.ts';
import { registerDebateCommands } from './commands/debate.ts';
import { registerDiscordCommands } from './commands/discord.ts';
import { registerIdeasCommands } from './commands/ideas.ts';
import { langFromLocale } from './commands/lang.ts';
import { registerPersonasCommand } from './commands/personas.ts';
import { registerSignalsCommands } from './commands/signals.ts';
import { registerStartCommand } from './commands/start.ts';
import { ConfigError, loadConfig } from './config.ts';
import { RuntimeFailure, UsageError } from './errors.ts';

/** Runs the `arena` command line; resolves to the process exit code (0 ok, 1 failure, 2 bad usage). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return reportFailure(error);
  }
}

export function buildProgram(): Command {
  const program = new Command('arena')
    .description('Agentic Arena — LLM personas debate ideas in Discord, Slack and the terminal.')
    .version(pkg.version)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showSuggestionAfterError();
  // Config is read lazily so `arena --help` works with a broken environment.
  const config = () => loadConfig();
  registerStartCommand(program, { config });
  registerDbCommands(program, { config });
  registerPersonasCommand(program, {
    loadPersonas: () => loadCatalog({ extraDir: config().PERSONAS_DIR }),
    // The same default as `arena debate`: the terminal's locale.
    defaultLang: langFromLocale(process.env),
  });
  registerDebateCommands(program, {
    async open(opts) {
      const c = config();
      // Terminal commands keep stdout for their output; logs go to stderr, quieter by default.
      const log = createConsoleLogger({ level: c.LOG_LEVEL === 'info' ? 'warn' : c.LOG_LEVEL });
      // Loaded on use: `arena --help` and small commands stay quick.
      const { openArenaContext } = await import('./context.ts');
      const ctx = await openArenaContext(c, log, {
        ...(opts.provider ? { provider: opts.provider as ProviderMode } : {}),
        memoryIfLocked: true,
      });
      if (process.stderr.isTTY) process.stderr.write(`llm: ${ctx.llmDescription}\n`);
      return { arena: ctx.arena, runner: ctx.runner, bus: ctx.bus, close: ctx.close };
    },
  });
  registerDiscordCommands(program, { config });
  registerSignalsCommands(program, { config });
  registerIdeasCommands(program, { config });
  return program;
}

function reportFailure(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander already printed help, version or the usage problem.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
    if (error.code === 'commander.help') return 0;
    return 2;
  }
  if (error instanceof ConfigError || error instanceof UsageError) {
    process.stderr.write(`arena: ${error.message}\n`);
    return 2;
  }
  if (hasExitCode(error, 2)) {
    process.stderr.write(`arena: ${(error as Error).message}\n`);
    return 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`arena: ${error instanceof RuntimeFailure ? message : `failed: ${message}`}\n`);
  return 1;
}

function hasExitCode(error: unknown, code: number): boolean {
  return typeof error === 'object' && error !== null && (error as { exitCode?: unknown }).exitCode === code;
}
