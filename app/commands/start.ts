import type { Command } from 'commander';
import { createConsoleLogger } from '../../engine/log.ts';
import type { Config } from '../config.ts';
import { resolveRole } from '../roles/role.ts';

export function registerStartCommand(program: Command, deps: { config: () => Config }): void {
  program
    .command('start')
    .description('migrate the database, then run everything configured (dashboard, engine, bots)')
    .option(
      '--role <role>',
      'what this process runs: all | web (dashboard) | bot (chat gateways, delivery) | worker (debates, jobs); default ARENA_ROLE or all',
    )
    .action(async (opts: { role?: string }) => {
      const config = deps.config();
      // Refused before anything is opened: a split needs a shared Postgres (app/roles/role.ts).
      const role = resolveRole(opts.role, config);
      const log = createConsoleLogger({ level: config.LOG_LEVEL });
      // Listen before starting: a signal that arrives while the arena is still starting (its address
      // is printed before the last parts are up) must stop it cleanly, not kill it mid-start.
      const signalled = waitForSignal();
      const { startArena } = await import('../main.ts');
      const arena = await startArena({ config, log, role });
      await signalled;
      log.info('shutting down');
      await arena.close();
      log.info('stopped');
    });
}

function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const done = (signal: NodeJS.Signals) => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve(signal);
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
