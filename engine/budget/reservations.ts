import type { Kysely } from 'kysely';
import { budgetTotals, debateSpending, holdBudget, releaseHolds } from '../../db/repositories/budget.ts';
import { addDebateUsage } from '../../db/repositories/debates.ts';
import { foldTurnStats, recordUsage, utcDay } from '../../db/repositories/usage.ts';
import type { Database } from '../../db/schema.ts';
import { STATS_FOLD_BATCH } from '../constants.ts';
import type { Hold, ReserveInput, ReserveResult, SettleInput } from './types.ts';

// Choice: a conditional update of one budget-window row per month (db/repositories/budget.ts),
// with per-debate holds on the debate row to reconcile after a crash. Per-debate reservations
// drawn in chunks from the window would touch the shared row less often, but a chunk held by one
// debate is headroom refused to another, so limits would stop being exact near the edge. One
// statement per call on one row keeps them exact. The row stays locked until that statement's
// COMMIT has flushed the WAL (an fsync: 1–5 ms here), so holds on the one row queue one flush
// each; the turn's commit therefore leaves the window alone and the stats fold settles it in
// batches (db/repositories/turns.ts, usage.ts), leaving one write of the row per call.

/**
 * Holds the estimated cost of one LLM call against the daily, monthly and per-debate limits, or
 * refuses with the window that would overflow. One statement, atomic across connections and
 * processes: concurrent debates cannot overshoot together. A zero estimate always passes and
 * holds nothing.
 */
export async function reserve(db: Kysely<Database>, input: ReserveInput): Promise<ReserveResult> {
  // Others must see the hold before the call starts: it commits on its own.
  if (db.isTransaction) throw new Error('reserve() commits on its own: call it outside a transaction');
  const amountUsd = holdAmount(input.estimateUsd);
  if (amountUsd <= 0) return { ok: true, hold: null };
  const hold = () =>
    holdBudget(db, {
      debateId: input.debateId,
      amountUsd,
      dailyUsd: input.limits.dailyUsd,
      monthlyUsd: input.limits.monthlyUsd,
      debateUsd: input.debateId === null ? undefined : input.limits.debateUsd,
      now: input.now,
    });
  // Committed turns not folded yet still count their holds (estimates) in the window, not what they
  // spent: settle them before refusing, so a refusal means the limit is really reached.
  const held = (await hold()) || ((await foldAll(db)) > 0 && (await hold()));
  if (held) return { ok: true, hold: { amountUsd, day: utcDay(input.now) } };
  return refusal(db, input, amountUsd);
}

/** What a hold of `estimateUsd` takes: whole micro-dollars, rounded up (the unit numeric(14, 6) keeps). */
export function holdAmount(estimateUsd: number): number {
  return Math.max(Math.ceil(Number((estimateUsd * 1e6).toFixed(3))), 0) / 1e6;
}

/** Which window refused, with its numbers (read after the fact: a refusal is the rare path). */
async function refusal(db: Kysely<Database>, input: ReserveInput, amountUsd: number): Promise<ReserveResult> {
  const t = await budgetTotals(db, input.now);
  const debate =
    input.debateId !== null && input.limits.debateUsd !== undefined
      ? await debateSpending(db, input.debateId)
      : undefined;
  const windows = [
    { window: 'day' as const, used: t.daySpentUsd + t.dayReservedUsd, limit: input.limits.dailyUsd },
    { window: 'month' as const, used: t.monthSpentUsd + t.monthReservedUsd, limit: input.limits.monthlyUsd },
    ...(debate && input.limits.debateUsd !== undefined
      ? [{ window: 'debate' as const, used: debate.spentUsd + debate.heldUsd, limit: input.limits.debateUsd }]
      : []),
  ];
  const over = windows.find((w) => Math.round((w.used + amountUsd) * 1e6) > Math.round(w.limit * 1e6));
  const w = over ?? windows[0]!;
  return {
    ok: false,
    reason: 'budget',
    window: w.window,
    spentUsd: Math.round(w.used * 1e6) / 1e6,
    limitUsd: w.limit,
    estimateUsd: amountUsd,
  };
}

/** How holds split by window at `now`: those made today, those made this month, all of them. */
export function releaseOf(holds: readonly (Hold | null)[], now: Date) {
  const day = utcDay(now);
  let dayUsd = 0;
  let monthUsd = 0;
  let totalUsd = 0;
  for (const h of holds) {
    if (!h) continue;
    totalUsd += h.amountUsd;
    if (h.day === day) dayUsd += h.amountUsd;
    if (h.day.slice(0, 7) === day.slice(0, 7)) monthUsd += h.amountUsd;
  }
  return { dayUsd, monthUsd, totalUsd };
}

/**
 * Records a call whose turn will not be committed (the tokens were spent all the same): its
 * spending in api_usage and the window, the debate's totals, and its hold given back. A committed
 * turn settles its calls in its own commit instead (db/repositories/turns.ts).
 */
export async function settle(db: Kysely<Database>, input: SettleInput): Promise<void> {
  await recordUsage(db, {
    date: utcDay(input.now),
    provider: input.provider,
    model: input.model,
    inputTokens: input.promptTokens,
    outputTokens: input.completionTokens,
    costUsd: Number(input.costUsd.toFixed(6)),
  });
  if (input.debateId) {
    await addDebateUsage(db, input.debateId, {
      promptTokens: input.promptTokens,
      completionTokens: input.completionTokens,
      costUsd: input.costUsd,
    });
  }
  await release(db, { debateId: input.debateId, hold: input.hold, now: input.now });
}

/** Gives back the hold of a call that failed or was cancelled; a null hold is fine. */
export async function release(
  db: Kysely<Database>,
  r: { debateId: string | null; hold: Hold | null; now: Date },
): Promise<void> {
  if (!r.hold) return;
  await releaseHolds(db, { debateId: r.debateId, now: r.now, ...releaseOf([r.hold], r.now) });
}

/** Folds every committed turn not folded yet; how many there were. */
async function foldAll(db: Kysely<Database>): Promise<number> {
  let total = 0;
  for (let n = -1; n !== 0; total += n) n = await foldTurnStats(db, { limit: STATS_FOLD_BATCH });
  return total;
}
