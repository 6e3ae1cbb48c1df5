import { Command } from 'commander';
import { z } from 'zod';
import { parseCommandOptions } from '../command-options.ts';

const int = (min: number, max: number) => z.coerce.number<string>().int().min(min).max(max);

const ChaosOptionsSchema = z.object({
  platform: z
    .enum(['discord', 'slack', 'both'])
    .transform((p): Array<'discord' | 'slack'> => (p === 'both' ? ['discord', 'slack'] : [p])),
  debates: int(1, 20),
  kills: int(0, 500),
  dbOutageMs: int(0, 120_000),
  databaseUrl: z
    .string()
    .refine((v) => /^postgres(ql)?:\/\//.test(v), { message: 'expected a postgres:// URL' })
    .optional(),
  seed: int(0, 2 ** 31 - 1),
  chunkDelayMs: int(0, 5_000),
  maxUpMs: int(500, 120_000),
  settleMs: int(10_000, 3_600_000),
  keep: z.boolean(),
  verbose: z.boolean(),
});

/** What a chaos run was asked to do (`npm run chaos -- --help`); `platform` lists the platforms run together. */
export type ChaosOptions = z.output<typeof ChaosOptionsSchema>;

export class ChaosUsageError extends Error {
  override name = 'ChaosUsageError';
}

/**
 * Parses `npm run chaos -- …`. The Postgres URL comes from --database-url, else CHAOS_DATABASE_URL,
 * else TEST_DATABASE_URL in `env` (the entry point passes the process environment; nothing else reads it).
 * Returns 'help' when --help was asked (the text is already written).
 */
export function parseChaosArgs(
  argv: string[],
  env: Readonly<Record<string, string | undefined>>,
  write: (text: string) => void,
): ChaosOptions | 'help' {
  const program = new Command('chaos')
    .description(
      'Runs debates through a chat emulator while a real `arena start` child is SIGKILLed at random moments, ' +
        'Postgres connections are cut, and the model and the platform fail; then checks that every post ' +
        'reached its thread exactly once and in turn order, with nothing left behind.',
    )
    .option('--platform <name>', 'discord, slack, or both (one arena serving both at once)', 'discord')
    .option('--debates <n>', 'debates started from chat (on each platform)', '3')
    .option('--kills <n>', 'SIGKILLs of the arena process', '20')
    .option(
      '--db-outage-ms <ms>',
      'Postgres: terminate the arena’s backends and cut every connection for this long (0: none)',
      '8000',
    )
    .option('--database-url <url>', 'Postgres server (a fresh database is created on it and dropped after)')
    .option('--seed <n>', 'random seed for the moments of kills and faults', String(Date.now() % 1_000_000))
    .option(
      '--chunk-delay-ms <ms>',
      'fake model: pause before each streamed chunk (paces the debates: they must outlast the kills)',
      '150',
    )
    .option('--max-up-ms <ms>', 'longest an arena process lives between kills', '9000')
    .option('--settle-ms <ms>', 'how long the last process may take to finish every debate', '600000')
    .option('--keep', 'keep the database afterwards (its name is printed)', false)
    .option('--verbose', 'print what happens as it happens', false);
  return parseCommandOptions({
    program,
    argv,
    schema: ChaosOptionsSchema,
    write,
    usageError: (message) => new ChaosUsageError(message),
    extra: (opts) => ({
      databaseUrl: opts.databaseUrl ?? (env.CHAOS_DATABASE_URL || env.TEST_DATABASE_URL || undefined),
    }),
  });
}
