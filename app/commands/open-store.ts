import type { Kysely } from 'kysely';
import { DataDirLockedError } from '../../db/data-dir-lock.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import type { Database } from '../../db/schema.ts';
import type { Logger } from '../../engine/log.ts';
import { oneLineSafe } from '../../engine/text/sanitize.ts';
import type { Config } from '../config.ts';
import { RuntimeFailure } from '../errors.ts';
import { createCommandLog } from './command-log.ts';
import { openDatabase } from './db.ts';
import { type ArenaServer, dashboardAddress, findRunningServer } from './server-client.ts';

/** The database alone, migrated, for commands that need no LLM or bus (signals, trends, ideas). */
export interface Store {
  db: Kysely<Database>;
  log: Logger;
  close(): Promise<void>;
}

/**
 * Runs `fn` on the database. While a running `arena start` holds the embedded database, refuses in
 * one line saying so (a write cannot go around it). Warnings, errors and a failure of the command
 * go to `system_logs`, written before the database closes.
 */
export async function withStore<T>(
  config: Config,
  command: string,
  fn: (store: Store) => Promise<T>,
): Promise<T> {
  const store = await openStore(config, (error) => {
    throw new RuntimeFailure(
      `${error.message}; run this from its dashboard (${dashboardAddress(config)}), or stop it first`,
    );
  });
  return store.run(command, fn);
}

/** Where a read command's answers come from: the database, or the running server that holds it. */
export type ReadSource = { via: 'database'; store: Store } | { via: 'server'; server: ArenaServer };

/**
 * Runs a read command on the database or, while a running `arena start` holds the embedded
 * database, through its HTTP API (a note on stderr says so). Never from an empty stand-in database:
 * the answer is true or the command refuses. No model is probed.
 */
export async function withReadSource<T>(
  config: Config,
  command: string,
  fn: (source: ReadSource) => Promise<T>,
): Promise<T> {
  let held: DataDirLockedError | undefined;
  const store = await openStore(config, (error) => {
    held = error;
  });
  if (store) return store.run(command, (s) => fn({ via: 'database', store: s }));
  const server = await findRunningServer(config);
  if (!server)
    throw new RuntimeFailure(
      `${held!.message}; its dashboard at ${dashboardAddress(config)} does not answer, so it cannot be read through it`,
    );
  process.stderr.write(`(through the running arena at ${server.url}: it holds the embedded database)\n`);
  return fn({ via: 'server', server });
}

type OpenedStore = Store & { run<T>(command: string, fn: (store: Store) => Promise<T>): Promise<T> };

async function openStore(
  config: Config,
  onLocked: (error: DataDirLockedError) => never,
): Promise<OpenedStore>;
async function openStore(
  config: Config,
  onLocked: (error: DataDirLockedError) => void,
): Promise<OpenedStore | null>;
async function openStore(
  config: Config,
  onLocked: (error: DataDirLockedError) => void,
): Promise<OpenedStore | null> {
  const commandLog = createCommandLog(config);
  let handle: Awaited<ReturnType<typeof openDatabase>>;
  try {
    handle = await openDatabase(config);
  } catch (error) {
    if (!(error instanceof DataDirLockedError)) throw error;
    onLocked(error);
    return null;
  }
  const report = await migrateToLatest(handle.db);
  if (report.error) {
    await handle.close();
    throw new RuntimeFailure(
      `migration failed: ${report.error instanceof Error ? report.error.message : String(report.error)}`,
    );
  }
  commandLog.attach(handle.db);
  const close = async () => {
    await commandLog.close();
    await handle.close();
  };
  const store: Store = { db: handle.db, log: commandLog.log, close };
  return {
    ...store,
    async run(command, fn) {
      try {
        return await fn(store);
      } catch (error) {
        commandLog.failed(command, error);
        throw error;
      } finally {
        await close();
      }
    },
  };
}

/**
 * Prints rows as aligned columns. Cells are foreign text (feed titles, ideas, errors): each becomes
 * one line without terminal escapes or control characters before it reaches the terminal.
 */
export function table(raw: string[][]): string {
  const rows = raw.map((r) => r.map(oneLineSafe));
  const widths: number[] = [];
  for (const r of rows) {
    r.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, [...c].length);
    });
  }
  return rows
    .map((r) =>
      r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - [...c].length))).join('  '),
    )
    .join('\n');
}
