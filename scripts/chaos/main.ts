import { ChaosUsageError, parseChaosArgs } from './options.ts';
import { renderReport } from './report.ts';
import { runChaos } from './scenario.ts';

/**
 * `npm run chaos`: exit 0 when nothing was lost, duplicated, reordered or left behind, 1 when
 * something was, 2 on bad arguments. `env` is the process environment (read nowhere else).
 */
export async function main(
  argv: string[],
  env: Readonly<Record<string, string | undefined>>,
  write: (text: string) => void,
): Promise<number> {
  let opts: ReturnType<typeof parseChaosArgs>;
  try {
    opts = parseChaosArgs(argv, env, write);
  } catch (error) {
    if (error instanceof ChaosUsageError) {
      write(`chaos: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (opts === 'help') return 0;
  const { stats, verdict } = await runChaos(opts, {
    log: (line) => write(`${line}\n`),
    baseEnv: { PATH: env.PATH ?? '', HOME: env.HOME ?? '/tmp' },
  });
  write(`\n${renderReport(stats, verdict)}`);
  return verdict.ok ? 0 : 1;
}
