import type { Command } from 'commander';
import { connectDatabase } from '../../db/connect.ts';
import { migrateToLatest, migrationStatus } from '../../db/migrate.ts';
import type { Config } from '../config.ts';
import { RuntimeFailure } from '../errors.ts';

export function openDatabase(config: Config) {
  return connectDatabase({
    databaseUrl: config.DATABASE_URL,
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    pgliteDataDir: config.pgliteDir,
  });
}

export function registerDbCommands(program: Command, deps: { config: () => Config }): void {
  program
    .command('migrate')
    .description('apply pending database migrations (a no-op when up to date)')
    .action(async () => {
      const handle = await openDatabase(deps.config());
      try {
        const report = await migrateToLatest(handle.db);
        if (report.error) throw new RuntimeFailure(`migration failed: ${errorText(report.error)}`);
        console.log(
          report.applied.length === 0
            ? `database (${handle.dialect}, ${handle.location}) is up to date`
            : `applied ${report.applied.length} migration(s) on ${handle.dialect}: ${report.applied.join(', ')}`,
        );
      } finally {
        await handle.close();
      }
    });

  program
    .command('db')
    .description('database tools')
    .command('status')
    .description('show which database is used and which migrations ran')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const handle = await openDatabase(deps.config());
      try {
        const migrations = await migrationStatus(handle.db);
        if (opts.json) {
          console.log(JSON.stringify({ dialect: handle.dialect, location: handle.location, migrations }));
          return;
        }
        console.log(`dialect:  ${handle.dialect}`);
        console.log(`location: ${handle.location}`);
        console.log('migrations:');
        for (const m of migrations) {
          console.log(
            `  ${m.executedAt ? '✓' : '·'} ${m.name}${m.executedAt ? `  (${m.executedAt.toISOString()})` : '  pending'}`,
          );
        }
      } finally {
        await handle.close();
      }
    });
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
