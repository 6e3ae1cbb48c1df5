import type { Kysely } from 'kysely';
import type { Database, SystemLogRow } from '../schema.ts';

export interface LogEntry {
  level: SystemLogRow['level'];
  source: string;
  message: string;
  details?: Record<string, unknown> | null;
  trace?: string | null;
  now: Date;
}

/** Keeps a notable event in `system_logs` (what the dashboard's log view and retention read). */
export async function insertLog(db: Kysely<Database>, e: LogEntry): Promise<void> {
  await db
    .insertInto('system_logs')
    .values({
      level: e.level,
      source: e.source.slice(0, 100),
      message: e.message,
      details: e.details ?? null,
      trace: e.trace ?? null,
      created_at: e.now,
    })
    .execute();
}

/** Newest log rows first, optionally of one level and/or source. */
export function listLogs(
  db: Kysely<Database>,
  filter: { level?: SystemLogRow['level']; source?: string; limit?: number } = {},
): Promise<SystemLogRow[]> {
  let q = db.selectFrom('system_logs').selectAll();
  if (filter.level) q = q.where('level', '=', filter.level);
  if (filter.source) q = q.where('source', '=', filter.source);
  return q
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(filter.limit ?? 100)
    .execute();
}
