import { Cleanups } from './cleanups.ts';
import { ChaosUsageError, parseChaosArgs } from './options.ts';
import { renderReport } from './report.ts';
import { runChaos } from './scenario.ts';

/** Where SIGINT and SIGTERM come from (the process; a test may pass its own). */
export interface SignalSource {
  once(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

/** Exit code of a run stopped by Ctrl-C or SIGTERM (128 + SIGINT). */
export const INTERRUPTED = 130;

/**
 * `npm run chaos`: exit 0 when nothing was lost, duplicated, reordered or left behind, 1 when
 * something was, 2 on bad arguments, 130 when interrupted (after killing its arena processes,
 * closing its emulators and proxy and dropping its database, or saying where it was left).
 * `env` is the process environment (read nowhere else).
 */
export async function main(
  argv: string[],
  env: Readonly<Record<string, string | undefined>>,
  write: (text: string) => void,
  signals: SignalSource = process,
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
  const cleanups = new Cleanups();
  let stop: (signal: string) => void = () => {};
  let stopping = false;
  const interrupted = new Promise<number>((resolve) => {
    stop = (signal) => {
      stopping = true;
      write(`\nchaos: ${signal}: stopping the arena processes and cleaning up\n`);
      void cleanups.run().then(() => resolve(INTERRUPTED));
    };
  });
  const onInt = () => stop('SIGINT');
  const onTerm = () => stop('SIGTERM');
  signals.once('SIGINT', onInt);
  signals.once('SIGTERM', onTerm);
  try {
    const run = runChaos(opts, {
      log: (line) => write(`${line}\n`),
      baseEnv: { PATH: env.PATH ?? '', HOME: env.HOME ?? '/tmp' },
      cleanups,
    }).then(
      ({ stats, verdict }) => {
        if (stopping) return interrupted;
        write(`\n${renderReport(stats, verdict)}`);
        return verdict.ok ? 0 : 1;
      },
      // Interrupted, the run's steps fail as its processes and servers go: that is not its result.
      (error: unknown) => (stopping ? interrupted : Promise.reject(error)),
    );
    return await Promise.race([run, interrupted]);
  } finally {
    signals.off('SIGINT', onInt);
    signals.off('SIGTERM', onTerm);
  }
}
