import type { Kysely } from 'kysely';
import { DataDirLockedError } from '../../db/data-dir-lock.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import type { Database } from '../../db/schema.ts';
import { createConsoleLogger, type Logger } from '../../engine/log.ts';
import { oneLineSafe } from '../../engine/text/sanitize.ts';
import type { Config } from '../config.ts';
import { RuntimeFailure } from '../errors.ts';
import { openDatabase } from './db.ts';

/** The database alone, migrated, for commands that need no LLM or bus (signals, trends, ideas). */
export interface Store {
  db: Kysely<Database>;
  log: Logger;
  close(): Promise<void>;
}

export async function openStore(config: Config): Promise<Store> {
  // Terminal commands keep stdout for their output; logs go to stderr, quieter by default.
  const log = createConsoleLogger({ level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL });
  const handle = await openDatabase(config).catch((error: unknown) => {
    if (error instanceof DataDirLockedError)
      throw new RuntimeFailure(
        `${error.message}; stop it first, or use the dashboard's actions (PGlite allows one process per data dir)`,
      );
    throw error;
  });
  const report = await migrateToLatest(handle.db);
  if (report.error) {
    await handle.close();
    throw new RuntimeFailure(
      `migration failed: ${report.error instanceof Error ? report.error.message : String(report.error)}`,
    );
  }
  return { db: handle.db, log, close: () => handle.close() };
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
