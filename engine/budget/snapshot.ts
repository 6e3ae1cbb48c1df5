import type { Kysely } from 'kysely';
import { budgetTotals } from '../../db/repositories/budget.ts';
import { utcDay } from '../../db/repositories/usage.ts';
import type { Database } from '../../db/schema.ts';
import type { BudgetSnapshot } from '../events.ts';
import type { BudgetLimits } from './types.ts';

/** Today's and this month's spending, holds and limits, as the budget.updated event carries them. */
export async function budgetSnapshot(
  db: Kysely<Database>,
  q: { now: Date; limits: Pick<BudgetLimits, 'dailyUsd' | 'monthlyUsd'> },
): Promise<BudgetSnapshot> {
  const day = utcDay(q.now);
  const t = await budgetTotals(db, q.now);
  return {
    day: {
      date: day,
      spentUsd: t.daySpentUsd,
      reservedUsd: t.dayReservedUsd,
      limitUsd: q.limits.dailyUsd,
      tokens: t.dayTokens,
    },
    month: {
      month: day.slice(0, 7),
      spentUsd: t.monthSpentUsd,
      reservedUsd: t.monthReservedUsd,
      limitUsd: q.limits.monthlyUsd,
      tokens: t.monthTokens,
    },
  };
}
