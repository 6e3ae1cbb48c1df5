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

/** Many log rows in one statement (the batched logger sink). */
export async function insertLogs(db: Kysely<Database>, entries: readonly LogEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db
    .insertInto('system_logs')
    .values(
      entries.map((e) => ({
        level: e.level,
        source: e.source.slice(0, 100),
        message: e.message,
        details: e.details ?? null,
        trace: e.trace ?? null,
        created_at: e.now,
      })),
    )
    .execute();
}

/** One page of log rows, newest first, of one level when given; `total` counts the whole filter. */
export async function pageLogs(
  db: Kysely<Database>,
  q: { level?: SystemLogRow['level']; limit: number; offset: number },
): Promise<{ rows: SystemLogRow[]; total: number }> {
  let rows = db.selectFrom('system_logs').selectAll();
  let count = db.selectFrom('system_logs').select((eb) => eb.fn.countAll<string>().as('n'));
  if (q.level) {
    rows = rows.where('level', '=', q.level);
    count = count.where('level', '=', q.level);
  }
  const [page, n] = await Promise.all([
    rows.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).offset(q.offset).execute(),
    count.executeTakeFirstOrThrow(),
  ]);
  return { rows: page, total: Number(n.n) };
}
