import type { Kysely, Transaction } from 'kysely';
import {
  addDebateUsage,
  budgetTotals,
  deleteReservation,
  insertReservation,
  lockBudget,
  pruneReservations,
} from '../../db/repositories/budget.ts';
import { recordUsage, utcDay, utcMonthStart } from '../../db/repositories/usage.ts';
import type { Database } from '../../db/schema.ts';
import { STALE_RESERVATION_MS } from './constants.ts';
import type { ReserveInput, ReserveResult, SettleInput } from './types.ts';

// Money is compared in whole micro-dollars, the unit numeric(14, 6) keeps: no float drift at limits.
const micro = (usd: number) => Math.round(usd * 1e6);

/**
 * Holds the estimated cost of one LLM call against the daily, monthly and per-debate limits, or
 * refuses with the window that would overflow. Atomic across connections and processes: reservers
 * queue on one advisory lock, so concurrent debates cannot overshoot together. Opens and commits
 * its own transaction (others must see the hold before the call starts): pass the root Kysely,
 * not a transaction. A zero estimate (free model) always passes and holds nothing.
 */
export async function reserve(
  db: Kysely<Database>,
  input: ReserveInput,
  opts: { staleAfterMs?: number } = {},
): Promise<ReserveResult> {
  if (db.isTransaction) throw new Error('reserve() commits on its own: call it outside a transaction');
  const estimate = Math.ceil(Number((input.estimateUsd * 1e6).toFixed(3)));
  if (estimate <= 0) return { ok: true, reservationId: null };
  const day = utcDay(input.now);
  const since = new Date(input.now.getTime() - (opts.staleAfterMs ?? STALE_RESERVATION_MS));
  return db.transaction().execute(async (trx) => {
    await lockBudget(trx);
    await pruneReservations(trx, since);
    const t = await budgetTotals(trx, {
      day,
      monthStart: utcMonthStart(input.now),
      debateId: input.debateId,
      since,
    });
    const windows = [
      {
        window: 'day' as const,
        used: micro(t.daySpentUsd) + micro(t.dayReservedUsd),
        limit: input.limits.dailyUsd,
      },
      {
        window: 'month' as const,
        used: micro(t.monthSpentUsd) + micro(t.monthReservedUsd),
        limit: input.limits.monthlyUsd,
      },
      ...(input.debateId !== null && input.limits.debateUsd !== undefined
        ? [
            {
              window: 'debate' as const,
              used: micro(t.debateSpentUsd ?? 0) + micro(t.debateReservedUsd),
              limit: input.limits.debateUsd,
            },
          ]
        : []),
    ];
    for (const w of windows) {
      if (w.used + estimate > micro(w.limit)) {
        return {
          ok: false,
          reason: 'budget',
          window: w.window,
          spentUsd: w.used / 1e6,
          limitUsd: w.limit,
          estimateUsd: estimate / 1e6,
        } as const;
      }
    }
    const reservationId = await insertReservation(trx, {
      debateId: input.debateId,
      day,
      amountUsd: estimate / 1e6,
      createdAt: input.now,
    });
    return { ok: true, reservationId } as const;
  });
}

/**
 * Turns a reservation into recorded spending: deletes the hold, adds the call to api_usage and to
 * the debate's tokens and cost — all in one transaction. Given a Transaction (the runner's
 * per-turn one), it runs inside it and commits with the turn; given the root Kysely, it opens its own.
 */
export async function settle(
  db: Kysely<Database> | Transaction<Database>,
  input: SettleInput,
): Promise<void> {
  const run = async (trx: Kysely<Database>) => {
    if (input.reservationId) await deleteReservation(trx, input.reservationId);
    await recordUsage(trx, {
      date: utcDay(input.now),
      provider: input.provider,
      model: input.model,
      inputTokens: input.promptTokens,
      outputTokens: input.completionTokens,
      costUsd: Number(input.costUsd.toFixed(6)),
    });
    if (input.debateId) {
      await addDebateUsage(trx, input.debateId, {
        promptTokens: input.promptTokens,
        completionTokens: input.completionTokens,
        costUsd: input.costUsd,
      });
    }
  };
  if (db.isTransaction) await run(db);
  else await db.transaction().execute(run);
}

/** Frees a reservation whose call failed or was cancelled; a null or already-gone id is fine. */
export async function release(db: Kysely<Database>, reservationId: string | null): Promise<void> {
  if (reservationId) await deleteReservation(db, reservationId);
}
