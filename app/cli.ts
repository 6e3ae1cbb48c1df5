import { Command, CommanderError } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { COMMAND_GROUPS } from './command-groups.ts';
import type { Config } from './config.ts';
import { RuntimeFailure, TryLaterFailure, UsageError } from './errors.ts';

/** Runs the `arena` command line; resolves to the process exit code (0 ok, 1 failure, 2 bad usage, 75 busy: try later). */
export async function main(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    // Help and usage errors are common and cheap; only other failures load the config module.
    if (error instanceof CommanderError) return commanderExitCode(error);
    return reportFailure(error, (await import('./config.ts')).ConfigError);
  }
}

/**
 * The `arena` program. Only the group of the command in `argv` is loaded (all of them when
 * `loadAll`); the others are listed from their help lines, so `arena --help` stays quick.
 */
export async function buildProgram(argv: string[] = [], opts: { loadAll?: boolean } = {}): Promise<Command> {
  const program = new Command('arena')
    .description('Agentic Arena — LLM personas debate ideas in Discord, Slack and the terminal.')
    .version(pkg.version)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showSuggestionAfterError();
  const wanted = invokedCommand(argv);
  const groups = COMMAND_GROUPS.filter((g) => opts.loadAll || (wanted !== undefined && wanted in g.help));
  // Config is read lazily so `arena --help` works with a broken environment.
  const loadConfig = groups.length > 0 ? (await import('./config.ts')).loadConfig : undefined;
  const config = (): Config => loadConfig!();
  const listed = new Map<Command, string>();
  for (const group of COMMAND_GROUPS) {
    if (groups.includes(group)) {
      await group.register(program, config);
      continue;
    }
    for (const [name, line] of Object.entries(group.help))
      listed.set(program.command(name).description(line.description), line.term);
  }
  program.configureHelp({
    subcommandTerm(cmd) {
      return listed.get(cmd) ?? Object.getPrototypeOf(this).subcommandTerm.call(this, cmd);
    },
  });
  return program;
}

/** The top-level command `argv` runs (`arena help x` asks about `x`); undefined for help or version. */
function invokedCommand(argv: string[]): string | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

function commanderExitCode(error: CommanderError): number {
  // Commander already printed help, version or the usage problem.
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
  if (error.code === 'commander.help') return 0;
  return 2;
}

function reportFailure(error: unknown, ConfigError: new (...args: never[]) => Error): number {
  if (error instanceof ConfigError || error instanceof UsageError) {
    process.stderr.write(`arena: ${error.message}\n`);
    return 2;
  }
  if (hasExitCode(error, 2)) {
    process.stderr.write(`arena: ${(error as Error).message}\n`);
    return 2;
  }
  if (error instanceof TryLaterFailure) {
    process.stderr.write(`arena: ${error.message}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`arena: ${error instanceof RuntimeFailure ? message : `failed: ${message}`}\n`);
  return 1;
}

function hasExitCode(error: unknown, code: number): boolean {
  return typeof error === 'object' && error !== null && (error as { exitCode?: unknown }).exitCode === code;
}
