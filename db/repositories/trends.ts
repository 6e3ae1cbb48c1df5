import type { Kysely } from 'kysely';
import type { Database, Trend } from '../schema.ts';

export interface NewTrendRow {
  period: string;
  name: string;
  description: string | null;
  score: number;
  signalCount: number;
  category: string | null;
  keywords: string[];
  relatedSignals: string[];
  analysis: Record<string, unknown>;
}

/** Stores one analysis of a period (all rows share `analyzedAt`: the latest set is one query away). */
export async function insertTrends(
  db: Kysely<Database>,
  rows: NewTrendRow[],
  analyzedAt: Date,
): Promise<Trend[]> {
  if (rows.length === 0) return [];
  return db
    .insertInto('trends')
    .values(
      rows.map((r) => ({
        period: r.period,
        name: r.name.slice(0, 255),
        description: r.description,
        score: r.score,
        signal_count: r.signalCount,
        category: r.category,
        keywords: r.keywords,
        related_signals: r.relatedSignals,
        analysis_data: r.analysis,
        analyzed_at: analyzedAt,
      })),
    )
    .returningAll()
    .execute();
}

/** The newest analysis of a period, best first. */
export async function latestTrends(db: Kysely<Database>, period: string, limit = 10): Promise<Trend[]> {
  const last = await db
    .selectFrom('trends')
    .select('analyzed_at')
    .where('period', '=', period)
    .orderBy('analyzed_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!last) return [];
  return db
    .selectFrom('trends')
    .selectAll()
    .where('period', '=', period)
    .where('analyzed_at', '=', last.analyzed_at)
    .orderBy('score', 'desc')
    .orderBy('name')
    .limit(limit)
    .execute();
}
