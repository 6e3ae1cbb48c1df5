import { type Kysely, sql } from 'kysely';
import type { Database, NewSignal, Signal } from '../schema.ts';

export function insertSignal(db: Kysely<Database>, signal: NewSignal): Promise<Signal> {
  return db.insertInto('signals').values(signal).returningAll().executeTakeFirstOrThrow();
}

export async function insertSignals(db: Kysely<Database>, signals: NewSignal[]): Promise<Signal[]> {
  if (signals.length === 0) return [];
  return db.insertInto('signals').values(signals).returningAll().execute();
}

/** Signals collected since `since`, best score first (the seed's `get_recent`). */
export function recentSignals(
  db: Kysely<Database>,
  opts: { since: Date; limit?: number },
): Promise<Signal[]> {
  return db
    .selectFrom('signals')
    .selectAll()
    .where('collected_at', '>=', opts.since)
    .orderBy('score', 'desc')
    .orderBy('collected_at', 'desc')
    .limit(opts.limit ?? 100)
    .execute();
}

export function signalsBySource(db: Kysely<Database>, source: string, limit = 50): Promise<Signal[]> {
  return db
    .selectFrom('signals')
    .selectAll()
    .where('source', '=', source)
    .orderBy('collected_at', 'desc')
    .limit(limit)
    .execute();
}

export function signalsByCategory(db: Kysely<Database>, category: string, limit = 50): Promise<Signal[]> {
  return db
    .selectFrom('signals')
    .selectAll()
    .where('category', '=', category)
    .orderBy('collected_at', 'desc')
    .limit(limit)
    .execute();
}

/** Number of signals per source, e.g. `{ rss: 12, github: 3 }`. */
export async function countSignalsBySource(db: Kysely<Database>): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('signals')
    .select(['source', sql<number>`count(*)::int8`.as('n')])
    .groupBy('source')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.source, Number(r.n)]));
}

export interface SignalSourceStats {
  source: string;
  count: number;
  /** When this source last delivered a signal. */
  lastCollectedAt: Date;
}

/** Per source: how many signals are kept and when the newest arrived (source health). */
export async function signalSourceStats(db: Kysely<Database>): Promise<SignalSourceStats[]> {
  const rows = await db
    .selectFrom('signals')
    .select(['source', sql<number>`count(*)::int8`.as('n'), sql<Date>`max(collected_at)`.as('last')])
    .groupBy('source')
    .orderBy('source')
    .execute();
  return rows.map((r) => ({ source: r.source, count: Number(r.n), lastCollectedAt: new Date(r.last) }));
}

/** Deletes signals collected before `cutoff` (retention); returns how many went. */
export async function deleteSignalsBefore(db: Kysely<Database>, cutoff: Date): Promise<number> {
  const result = await db.deleteFrom('signals').where('collected_at', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Stores signals that are new; an item already kept (same `dedup_key`, from any feed or fetch) is
 * skipped by the unique index, not by a read first, so two fetchers at once never store it twice.
 * Returns the ids of the rows actually added.
 */
export async function insertNewSignals(db: Kysely<Database>, signals: NewSignal[]): Promise<string[]> {
  if (signals.length === 0) return [];
  const rows = await db
    .insertInto('signals')
    .values(signals)
    .onConflict((oc) => oc.column('dedup_key').doNothing())
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Signals collected in [from, to), newest first, at most `limit` (what trend analysis reads). */
export function signalsBetween(db: Kysely<Database>, from: Date, to: Date, limit = 5000): Promise<Signal[]> {
  return db
    .selectFrom('signals')
    .selectAll()
    .where('collected_at', '>=', from)
    .where('collected_at', '<', to)
    .orderBy('collected_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Newest signals, optionally of one source or category. */
export function listSignals(
  db: Kysely<Database>,
  filter: { source?: string; category?: string; limit?: number } = {},
): Promise<Signal[]> {
  let q = db.selectFrom('signals').selectAll();
  if (filter.source) q = q.where('source', '=', filter.source);
  if (filter.category) q = q.where('category', '=', filter.category);
  return q
    .orderBy('collected_at', 'desc')
    .orderBy('score', 'desc')
    .limit(filter.limit ?? 30)
    .execute();
}
