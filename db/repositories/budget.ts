import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../schema.ts';
import { utcDay, utcMonthStart } from './usage.ts';

// Budget windows, one row per UTC month (see migration 20261202_100000). Why a row and not a lock:
// every reserver used to queue on one advisory lock and sum api_usage and reservations under it.
// A conditional UPDATE of the month's row checks both limits and adds the hold in one statement;
// concurrent reservers queue only on that row for the length of one statement (Postgres re-checks
// the WHERE on the newest row version, so two can never both take the last headroom).
// Per-debate holds (debate_sessions.held_usd) are the reconciliation: they say what a crashed
// runner still held, so reclaiming its debate gives exactly that back.

/** Money as Postgres numeric(14, 6) text: no float drift at limits. */
export const usd = (n: number) => n.toFixed(6);
// A limit of Infinity means none; numeric compares fine with a value beyond any column.
const limitOf = (n: number | null | undefined) =>
  n === null || n === undefined || !Number.isFinite(n) ? '1e15' : usd(n);

/** What one write does to the window row of `now`'s month. */
export interface WindowChange {
  now: Date;
  /** Spending to add (settled calls). */
  spentUsd?: number;
  tokens?: number;
  /** A new hold to add. */
  holdUsd?: number;
  /** Holds to give back: those made today and those made this month (older ones were reset). */
  releaseDayUsd?: number;
  releaseMonthUsd?: number;
}

/**
 * `insert … on conflict do update` of the month's row applying `c`. A day rollover resets the day
 * columns before applying. `source` gates the write (e.g. `from s` when s is a fenced update CTE);
 * `check` adds a condition on the row after the change (the limits).
 */
export function windowUpsert(
  c: WindowChange,
  opts: { source?: RawBuilder<unknown>; check?: RawBuilder<unknown> } = {},
) {
  const day = utcDay(c.now);
  const month = utcMonthStart(c.now);
  const spent = usd(c.spentUsd ?? 0);
  const hold = usd(c.holdUsd ?? 0);
  const tokens = Math.round(c.tokens ?? 0);
  const relDay = usd(c.releaseDayUsd ?? 0);
  const relMonth = usd(c.releaseMonthUsd ?? 0);
  // The row's day moves forward only: a change dated before it (a late settle, a seed) counts in
  // the month but leaves the newer day's columns alone.
  const byDay = (col: string, value: RawBuilder<unknown>) =>
    sql`case when b.day < excluded.day then excluded.${sql.ref(col)}
      when b.day = excluded.day then ${value} else b.${sql.ref(col)} end`;
  return sql`insert into budget_windows as b
      (month, day, day_spent, day_reserved, day_tokens, month_spent, month_reserved, month_tokens, updated_at)
    select ${month}::date, ${day}::date, ${spent}::numeric, ${hold}::numeric, ${tokens}::bigint,
      ${spent}::numeric, ${hold}::numeric, ${tokens}::bigint, now()
    ${opts.source ?? sql``}
    on conflict (month) do update set
      day = greatest(b.day, excluded.day),
      day_spent = ${byDay('day_spent', sql`b.day_spent + excluded.day_spent`)},
      day_tokens = ${byDay('day_tokens', sql`b.day_tokens + excluded.day_tokens`)},
      day_reserved = ${byDay('day_reserved', sql`greatest(b.day_reserved - ${relDay}::numeric, 0) + excluded.day_reserved`)},
      month_spent = b.month_spent + excluded.month_spent,
      month_tokens = b.month_tokens + excluded.month_tokens,
      month_reserved = greatest(b.month_reserved - ${relMonth}::numeric, 0) + excluded.month_reserved,
      updated_at = now()
    ${opts.check ? sql`where ${opts.check}` : sql``}`;
}

export interface HoldInput {
  /** The debate the call belongs to; null for calls outside any debate (nothing to reconcile then). */
  debateId: string | null;
  amountUsd: number;
  dailyUsd: number;
  monthlyUsd: number;
  /** The debate's cap; null or undefined for none. */
  debateUsd?: number | null | undefined;
  now: Date;
}

/**
 * Holds `amountUsd` if the day, month and debate limits all leave room, in ONE statement: the
 * debate row is locked and checked first (its cap), then the window row is updated only if its
 * limits hold after the change, then the debate's hold grows only if the window took it. All or
 * nothing; true when held.
 */
export async function holdBudget(db: Kysely<Database>, h: HoldInput): Promise<boolean> {
  const amount = usd(h.amountUsd);
  const day = utcDay(h.now);
  const { rows } = await sql<{ held: number }>`
    with hold_debate as (
      select id from debate_sessions
      where id = ${h.debateId}::uuid
        and ${debateCapFits(h.debateUsd, h.amountUsd)}
      for update
    ), w as (
      ${windowHold(h, h.debateId === null ? undefined : sql`exists (select 1 from hold_debate)`)}
      returning 1
    ), d as (
      update debate_sessions set held_usd = held_usd + ${amount}::numeric, held_day = ${day}::date
      where id = ${h.debateId}::uuid and exists (select 1 from w)
      returning 1
    )
    select (select count(*) from w)::int as held
  `.execute(db);
  return Number(rows[0]?.held ?? 0) > 0;
}

/**
 * The window half of a hold: the month's row takes `amountUsd` only if `gate` holds and the day and
 * month limits still do after the change (Postgres re-checks this on the newest row version, so
 * concurrent holds never share headroom). Add `returning 1` to learn whether it took it.
 */
export function windowHold(
  h: Pick<HoldInput, 'amountUsd' | 'dailyUsd' | 'monthlyUsd' | 'now'>,
  gate?: RawBuilder<unknown>,
): RawBuilder<unknown> {
  const amount = usd(h.amountUsd);
  const rolled = sql`b.day < excluded.day`;
  const check = sql`(case when ${rolled} then 0 else b.day_spent + b.day_reserved end) + excluded.day_reserved <= ${limitOf(h.dailyUsd)}::numeric
      and b.month_spent + b.month_reserved + excluded.month_reserved <= ${limitOf(h.monthlyUsd)}::numeric`;
  const firstFits = sql`${amount}::numeric <= ${limitOf(h.dailyUsd)}::numeric and ${amount}::numeric <= ${limitOf(h.monthlyUsd)}::numeric`;
  const source = gate ? sql`where ${firstFits} and ${gate}` : sql`where ${firstFits}`;
  return windowUpsert({ now: h.now, holdUsd: h.amountUsd }, { source, check });
}

/** Whether a debate's cap leaves room for `amountUsd` more (SQL on a `debate_sessions` row). */
export function debateCapFits(debateUsd: number | null | undefined, amountUsd: number): RawBuilder<boolean> {
  return sql<boolean>`${limitOf(debateUsd)}::numeric >= cost_usd + held_usd + ${usd(amountUsd)}::numeric`;
}

/** Gives holds back to the window (and takes them off the debate, while `owner` still runs it). */
export async function releaseHolds(
  db: Kysely<Database>,
  r: {
    debateId: string | null;
    owner?: string;
    now: Date;
    dayUsd: number;
    monthUsd: number;
    totalUsd: number;
  },
): Promise<void> {
  if (r.totalUsd <= 0) return;
  if (r.debateId === null) {
    await sql`${windowUpsert({ now: r.now, releaseDayUsd: r.dayUsd, releaseMonthUsd: r.monthUsd })}`.execute(
      db,
    );
    return;
  }
  // Only holds the debate row still lists are given back: a runner that reclaimed the debate
  // already returned them (see reclaimHolds), and must not see them returned twice.
  await sql`
    with d as (
      update debate_sessions set held_usd = held_usd - ${usd(r.totalUsd)}::numeric
      where id = ${r.debateId}::uuid and held_usd >= ${usd(r.totalUsd)}::numeric
        ${r.owner ? sql`and lease_owner = ${r.owner}` : sql``}
      returning 1
    )
    ${windowUpsert({ now: r.now, releaseDayUsd: r.dayUsd, releaseMonthUsd: r.monthUsd }, { source: sql`where exists (select 1 from d)` })}
  `.execute(db);
}

/**
 * Gives back everything a debate's previous runner still held (it crashed or lost the lease mid
 * call). Call right after claiming the debate's lease; a no-op when nothing is held.
 */
export async function reclaimHolds(db: Kysely<Database>, p: { debateId: string }): Promise<void> {
  await sql`
    with d as (
      select held_usd, held_day from debate_sessions where id = ${p.debateId}::uuid and held_usd > 0 for update
    ), z as (
      update debate_sessions set held_usd = 0, held_day = null where id = ${p.debateId}::uuid and held_usd > 0
      returning 1
    )
    update budget_windows b set
      day_reserved = case when d.held_day = b.day then greatest(b.day_reserved - d.held_usd, 0) else b.day_reserved end,
      month_reserved = greatest(b.month_reserved - d.held_usd, 0),
      updated_at = now()
    from d
    where b.month = date_trunc('month', d.held_day)::date
  `.execute(db);
}

/** The window row of `now`'s month, day columns reset if the day rolled over. */
export interface BudgetTotals {
  daySpentUsd: number;
  dayReservedUsd: number;
  dayTokens: number;
  monthSpentUsd: number;
  monthReservedUsd: number;
  monthTokens: number;
}

/** One primary-key read of the month's window row. */
export async function budgetTotals(db: Kysely<Database>, now: Date): Promise<BudgetTotals> {
  const day = utcDay(now);
  const row = await db
    .selectFrom('budget_windows')
    .selectAll()
    .where('month', '=', utcMonthStart(now))
    .executeTakeFirst();
  if (!row) {
    return {
      daySpentUsd: 0,
      dayReservedUsd: 0,
      dayTokens: 0,
      monthSpentUsd: 0,
      monthReservedUsd: 0,
      monthTokens: 0,
    };
  }
  const sameDay = dayText(row.day) >= day;
  return {
    daySpentUsd: sameDay ? Number(row.day_spent) : 0,
    dayReservedUsd: sameDay ? Number(row.day_reserved) : 0,
    dayTokens: sameDay ? Number(row.day_tokens) : 0,
    monthSpentUsd: Number(row.month_spent),
    monthReservedUsd: Number(row.month_reserved),
    monthTokens: Number(row.month_tokens),
  };
}

/** A debate's spent and held money, for a refusal's numbers. */
export async function debateSpending(
  db: Kysely<Database>,
  debateId: string,
): Promise<{ spentUsd: number; heldUsd: number } | undefined> {
  const row = await db
    .selectFrom('debate_sessions')
    .select(['cost_usd', 'held_usd'])
    .where('id', '=', debateId)
    .executeTakeFirst();
  return row && { spentUsd: Number(row.cost_usd), heldUsd: Number(row.held_usd) };
}

// Drivers return a date column as a Date (postgres.js, pg) or a string (PGlite).
function dayText(v: unknown): string {
  return v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10);
}
