import type { Kysely } from 'kysely';
import { signalsBetween } from '../../db/repositories/signals.ts';
import { insertTrends } from '../../db/repositories/trends.ts';
import type { Database, Trend } from '../../db/schema.ts';
import type { Clock } from '../clock.ts';
import { findTrends, PERIOD_MS, TREND_PERIODS, type TrendPeriod } from './trends.ts';

/** Finds and stores the trends of each period (default all three); returns what was stored. */
export async function analyzeTrends(
  deps: { db: Kysely<Database>; clock: Clock },
  periods: readonly TrendPeriod[] = TREND_PERIODS,
): Promise<Record<string, Trend[]>> {
  const now = deps.clock.now();
  const out: Record<string, Trend[]> = {};
  for (const period of periods) {
    const span = PERIOD_MS[period];
    const from = new Date(now.getTime() - span);
    const [current, previous] = await Promise.all([
      signalsBetween(deps.db, from, new Date(now.getTime() + 1)),
      signalsBetween(deps.db, new Date(from.getTime() - span), from),
    ]);
    const found = findTrends(current, previous);
    out[period] = await insertTrends(
      deps.db,
      found.map((t) => ({
        period,
        name: t.name,
        description: `${t.signalCount} signal(s) in ${period}, ${t.previousCount} in the ${period} before (×${t.growth})`,
        score: t.score,
        signalCount: t.signalCount,
        category: t.category,
        keywords: t.keywords,
        relatedSignals: t.relatedSignals.slice(0, 50),
        analysis: {
          growth: t.growth,
          previousCount: t.previousCount,
          entities: t.entities,
          sentiment: t.sentiment,
        },
      })),
      now,
    );
  }
  return out;
}
