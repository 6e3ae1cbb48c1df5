import { Command } from 'commander';
import { z } from 'zod';
import { DEFAULT_ROUNDS, MAX_ROUNDS } from '../engine/constants.ts';
import { parseCommandOptions } from '../scripts/command-options.ts';

export const SYSTEMS = ['arena', 'langgraph', 'langgraph-postgres', 'langgraph-lean', 'router'] as const;

const items = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

const BenchArgsSchema = z.object({
  debates: items.pipe(z.array(z.coerce.number<string>().int().min(1).max(1000)).min(1)),
  rounds: z.coerce.number<string>().int().min(1).max(MAX_ROUNDS),
  db: z.enum(['pglite', 'postgres']),
  latency: z.coerce.number<string>().int().min(0).max(60_000),
  systems: items.pipe(z.array(z.enum(SYSTEMS)).min(1)),
  price: z.enum(['priced', 'free']),
  out: z.string().min(1),
});

/** What a benchmark run was asked to do. */
export type BenchArgs = z.output<typeof BenchArgsSchema>;

export class BenchUsageError extends Error {
  override name = 'BenchUsageError';
}

/** Parses `npm run bench -- …` arguments; `help` when --help was asked (the text is already printed). */
export function parseBenchArgs(argv: string[], write: (text: string) => void): BenchArgs | 'help' {
  const program = new Command('bench')
    .description(
      'Runs N debates concurrently on the arena and on LangGraph with a fake model, and measures both.',
    )
    .option('--debates <list>', 'concurrent debates per scenario, comma-separated', '1,50,200')
    .option('--rounds <n>', 'divergence rounds per debate', String(DEFAULT_ROUNDS))
    .option(
      '--db <dialect>',
      'arena database: pglite (in-process) or postgres (BENCH_DATABASE_URL)',
      'pglite',
    )
    .option('--latency <ms>', 'fake model wait before the first delta of every call', '0')
    // langgraph-lean (no LangChain model layer) is a diagnostic: it keeps the default run under ~3 minutes to leave it out.
    .option('--systems <list>', `which to run: ${SYSTEMS.join(', ')}`, 'arena,langgraph,router')
    .option(
      '--price <mode>',
      'priced: the model costs money, every call reserves budget; free: like local Ollama',
      'priced',
    )
    .option('--out <file>', 'where the JSON report goes', 'bench/results/latest.json');
  return parseCommandOptions({
    program,
    argv,
    schema: BenchArgsSchema,
    write,
    usageError: (message) => new BenchUsageError(message),
  });
}

const BenchEnvSchema = z.object({
  BENCH_DATABASE_URL: z
    .string()
    .optional()
    .transform((v) => v || undefined)
    .refine((v) => v === undefined || /^postgres(ql)?:\/\/[^\s]+$/.test(v), {
      message: 'must be a postgres:// URL of a server where the benchmark may create databases',
    }),
  PATH: z.string().min(1).default('/usr/bin:/bin'),
});

/** What the benchmark takes from its environment; the one place it reads `process.env`. */
export interface BenchEnv {
  /** BENCH_DATABASE_URL: a Postgres server where the benchmark may create and drop databases. */
  postgresUrl: string | undefined;
  /** PATH, for the fresh-shell environment the footprint part gives `arena start`. */
  path: string;
  /** The whole environment, for benchmark children that run this code again. */
  inherited: Record<string, string | undefined>;
}

/** Parses the benchmark's environment; a bad BENCH_DATABASE_URL is a usage error (its value is never printed). */
export function loadBenchEnv(env: Record<string, string | undefined> = process.env): BenchEnv {
  const parsed = BenchEnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BenchUsageError(`${String(issue.path[0])}: ${issue.message}`);
  }
  return { postgresUrl: parsed.data.BENCH_DATABASE_URL, path: parsed.data.PATH, inherited: { ...env } };
}
