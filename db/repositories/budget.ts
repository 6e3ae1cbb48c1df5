import { type Kysely, sql } from 'kysely';
import type { Database } from '../schema.ts';

// Two-int advisory key ('ARNA', 1): its own key space, apart from single-bigint locks others take.
const BUDGET_LOCK = [0x41524e41, 1] as const;

/**
 * Serialises every budget reserver, across connections and processes, until the surrounding
 * transaction ends. Call only inside a transaction.
 */
export async function lockBudget(trx: Kysely<Database>): Promise<void> {
  await sql`select pg_advisory_xact_lock(${sql.lit(BUDGET_LOCK[0])}, ${sql.lit(BUDGET_LOCK[1])})`.execute(
    trx,
  );
}

export async function insertReservation(
  db: Kysely<Database>,
  r: { debateId: string | null; day: string; amountUsd: number; createdAt: Date },
): Promise<string> {
  const row = await db
    .insertInto('budget_reservations')
    .values({
      debate_id: r.debateId,
      day: r.day,
      amount_usd: r.amountUsd.toFixed(6),
      created_at: r.createdAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Deletes one reservation; false when it was already gone (settled, released or pruned). */
export async function deleteReservation(db: Kysely<Database>, id: string): Promise<boolean> {
  const res = await db.deleteFrom('budget_reservations').where('id', '=', id).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

/** Drops reservations made before `before` (their callers crashed or forgot to settle). */
export async function pruneReservations(db: Kysely<Database>, before: Date): Promise<number> {
  const res = await db.deleteFrom('budget_reservations').where('created_at', '<', before).executeTakeFirst();
  return Number(res.numDeletedRows);
}

/** Spent and reserved money per window, in USD; reservations made before `since` are ignored. */
export interface BudgetTotals {
  daySpentUsd: number;
  dayReservedUsd: number;
  dayTokens: number;
  monthSpentUsd: number;
  monthReservedUsd: number;
  monthTokens: number;
  /** null when no debate was asked for (or it does not exist). */
  debateSpentUsd: number | null;
  debateReservedUsd: number;
}

/**
 * All totals in ONE statement, so they come from one snapshot: a settle committing in between
 * (reservation deleted, usage added) can never be seen half-done and undercount.
 */
export async function budgetTotals(
  db: Kysely<Database>,
  q: { day: string; monthStart: string; debateId: string | null; since: Date },
): Promise<BudgetTotals> {
  const since = q.since.toISOString();
  const { rows } = await sql<Record<string, string | number | null>>`
    select
      (select coalesce(sum(cost_usd), 0) from api_usage where date = ${q.day}::date) as day_spent,
      (select coalesce(sum(input_tokens + output_tokens), 0)::int8 from api_usage where date = ${q.day}::date) as day_tokens,
      (select coalesce(sum(cost_usd), 0) from api_usage
        where date >= ${q.monthStart}::date and date <= ${q.day}::date) as month_spent,
      (select coalesce(sum(input_tokens + output_tokens), 0)::int8 from api_usage
        where date >= ${q.monthStart}::date and date <= ${q.day}::date) as month_tokens,
      (select coalesce(sum(amount_usd), 0) from budget_reservations
        where day = ${q.day}::date and created_at >= ${since}::timestamptz) as day_reserved,
      (select coalesce(sum(amount_usd), 0) from budget_reservations
        where day >= ${q.monthStart}::date and day <= ${q.day}::date and created_at >= ${since}::timestamptz) as month_reserved,
      (select cost_usd from debate_sessions where id = ${q.debateId}::uuid) as debate_spent,
      (select coalesce(sum(amount_usd), 0) from budget_reservations
        where debate_id = ${q.debateId}::uuid and created_at >= ${since}::timestamptz) as debate_reserved
  `.execute(db);
  const r = rows[0]!;
  return {
    daySpentUsd: Number(r.day_spent),
    dayReservedUsd: Number(r.day_reserved),
    dayTokens: Number(r.day_tokens),
    monthSpentUsd: Number(r.month_spent),
    monthReservedUsd: Number(r.month_reserved),
    monthTokens: Number(r.month_tokens),
    debateSpentUsd: r.debate_spent === null ? null : Number(r.debate_spent),
    debateReservedUsd: Number(r.debate_reserved),
  };
}

/** Adds one call's tokens and cost to its debate's running totals. */
export async function addDebateUsage(
  db: Kysely<Database>,
  debateId: string,
  u: { promptTokens: number; completionTokens: number; costUsd: number },
): Promise<void> {
  await db
    .updateTable('debate_sessions')
    .set({
      prompt_tokens: sql`prompt_tokens + ${u.promptTokens}::int`,
      completion_tokens: sql`completion_tokens + ${u.completionTokens}::int`,
      cost_usd: sql`cost_usd + ${u.costUsd.toFixed(6)}::numeric`,
      updated_at: sql`now()`,
    })
    .where('id', '=', debateId)
    .execute();
}
