import { type Kysely, sql } from 'kysely';
import type { Database } from '../schema.ts';
import { usd, windowUpsert } from './budget.ts';

export interface UsageIncrement {
  /** UTC day, `YYYY-MM-DD`. */
  date: string;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  requests?: number;
}

/**
 * Records spending made outside a committed turn (an abandoned turn's calls, a seed): its
 * (date, provider, model) row in api_usage and the budget window of its day, in one statement.
 */
export async function recordUsage(db: Kysely<Database>, u: UsageIncrement): Promise<void> {
  const requests = u.requests ?? 1;
  const now = new Date(`${u.date}T12:00:00Z`);
  await sql`
    with w as (${windowUpsert({ now, spentUsd: u.costUsd, tokens: u.inputTokens + u.outputTokens })} returning 1)
    insert into api_usage (date, provider, model, input_tokens, output_tokens, cost_usd, request_count)
    values (${u.date}::date, ${u.provider}, ${u.model}, ${u.inputTokens}::int, ${u.outputTokens}::int,
      ${usd(u.costUsd)}::numeric, ${requests}::int)
    on conflict (date, provider, model) do update set
      input_tokens = api_usage.input_tokens + excluded.input_tokens,
      output_tokens = api_usage.output_tokens + excluded.output_tokens,
      cost_usd = api_usage.cost_usd + excluded.cost_usd,
      request_count = api_usage.request_count + excluded.request_count,
      updated_at = now()
  `.execute(db);
}

/**
 * Folds committed turns into the statistics tables and the budget window, up to `limit` messages
 * per call, in one statement: their calls into api_usage per (day, provider, model), their
 * persona's counters into agent_states, and into each month's budget window their spending (by the
 * day it was committed) and their holds given back (by the day each was made). Exactly once: a
 * message is marked folded by the same statement (concurrent folders skip each other's rows).
 * Returns how many messages were folded. Until folded, a turn's hold stays counted in the window
 * (a hold covers the call's estimated cost), so no reservation ever sees more headroom than exact.
 */
export async function foldTurnStats(db: Kysely<Database>, opts: { limit?: number } = {}): Promise<number> {
  const { rows } = await sql<{ folded: number }>`
    with fold_batch as (
      update debate_messages set stats_folded = true
      where id in (
        select id from debate_messages where stats_folded = false
        order by created_at limit ${opts.limit ?? 1000} for update skip locked)
      returning created_at, author_kind, agent_id, agent_name, prompt_tokens, completion_tokens, usages
    ), calls as (
      select (f.created_at at time zone 'UTC')::date as date, c.provider, c.model,
        c.input, c.output, c.cost, c.held, c.held_day
      from fold_batch f cross join lateral jsonb_to_recordset(coalesce(f.usages, '[]'::jsonb))
        as c(provider text, model text, input int, output int, cost numeric, held numeric, held_day date)
    ), money as (
      select date as day, cost as spent, input + output as tokens, 0::numeric as released from calls
      union all
      select held_day, 0, 0, held from calls where held > 0
    ), by_month as (
      -- A batch rarely spans two days: the window row's day columns take only its latest day.
      select date_trunc('month', day)::date as month, max(day) as day from money group by 1
    ), window_change as (
      select m.month, m.day,
        coalesce(sum(x.spent) filter (where x.day = m.day), 0) as day_spent,
        coalesce(sum(x.tokens) filter (where x.day = m.day), 0)::bigint as day_tokens,
        coalesce(sum(x.released) filter (where x.day = m.day), 0) as day_released,
        coalesce(sum(x.spent), 0) as month_spent,
        coalesce(sum(x.tokens), 0)::bigint as month_tokens,
        coalesce(sum(x.released), 0) as month_released
      from by_month m join money x on date_trunc('month', x.day)::date = m.month
      group by m.month, m.day
    ), w as (
      -- As windowUpsert: the row's day moves forward only (a rollover resets the day columns, holds
      -- of earlier days included); a change dated before the row's day counts in the month only.
      insert into budget_windows as b
        (month, day, day_spent, day_reserved, day_tokens, month_spent, month_reserved, month_tokens, updated_at)
      select month, day, day_spent, 0, day_tokens, month_spent, 0, month_tokens, now() from window_change
      on conflict (month) do update set
        day = greatest(b.day, excluded.day),
        day_spent = case when b.day < excluded.day then excluded.day_spent
          when b.day = excluded.day then b.day_spent + excluded.day_spent else b.day_spent end,
        day_tokens = case when b.day < excluded.day then excluded.day_tokens
          when b.day = excluded.day then b.day_tokens + excluded.day_tokens else b.day_tokens end,
        day_reserved = case when b.day < excluded.day then 0
          when b.day = excluded.day then greatest(b.day_reserved
            - (select day_released from window_change c where c.month = b.month), 0)
          else b.day_reserved end,
        month_spent = b.month_spent + excluded.month_spent,
        month_tokens = b.month_tokens + excluded.month_tokens,
        month_reserved = greatest(b.month_reserved
          - (select month_released from window_change c where c.month = b.month), 0),
        updated_at = now()
    ), u as (
      insert into api_usage (date, provider, model, input_tokens, output_tokens, cost_usd, request_count)
      select date, provider, model, sum(input), sum(output), sum(cost), count(*) from calls
      group by date, provider, model
      on conflict (date, provider, model) do update set
        input_tokens = api_usage.input_tokens + excluded.input_tokens,
        output_tokens = api_usage.output_tokens + excluded.output_tokens,
        cost_usd = api_usage.cost_usd + excluded.cost_usd,
        request_count = api_usage.request_count + excluded.request_count,
        updated_at = now()
    ), a as (
      insert into agent_states as s (id, name, status, last_active_at, total_messages, total_tokens, updated_at)
      select agent_id, max(agent_name), 'idle', max(created_at), count(*),
        sum(prompt_tokens + completion_tokens), now()
      from fold_batch where author_kind = 'persona' group by agent_id
      on conflict (id) do update set
        name = excluded.name,
        last_active_at = greatest(s.last_active_at, excluded.last_active_at),
        total_messages = s.total_messages + excluded.total_messages,
        total_tokens = s.total_tokens + excluded.total_tokens,
        updated_at = now()
    )
    select count(*)::int as folded from fold_batch
  `.execute(db);
  return Number(rows[0]?.folded ?? 0);
}

export interface UsageTotals {
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  requests: number;
}

/** Totals over days in [from, to] (inclusive, `YYYY-MM-DD`). */
export async function usageTotals(db: Kysely<Database>, from: string, to: string): Promise<UsageTotals> {
  const row = await db
    .selectFrom('api_usage')
    .select([
      sql<string>`coalesce(sum(cost_usd), 0)`.as('cost'),
      sql<number>`coalesce(sum(input_tokens), 0)::int8`.as('input'),
      sql<number>`coalesce(sum(output_tokens), 0)::int8`.as('output'),
      sql<number>`coalesce(sum(request_count), 0)::int8`.as('requests'),
    ])
    .where('date', '>=', from)
    .where('date', '<=', to)
    .executeTakeFirstOrThrow();
  return {
    costUsd: Number(row.cost),
    inputTokens: Number(row.input),
    outputTokens: Number(row.output),
    requests: Number(row.requests),
  };
}

/** The UTC day of an instant, `YYYY-MM-DD`. */
export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** First day of the UTC month of an instant, `YYYY-MM-01`. */
export function utcMonthStart(now: Date): string {
  return `${now.toISOString().slice(0, 7)}-01`;
}

export function todayTotals(db: Kysely<Database>, now: Date): Promise<UsageTotals> {
  const day = utcDay(now);
  return usageTotals(db, day, day);
}

export function monthTotals(db: Kysely<Database>, now: Date): Promise<UsageTotals> {
  return usageTotals(db, utcMonthStart(now), utcDay(now));
}

export async function usageByModel(db: Kysely<Database>, from: string, to: string) {
  const rows = await db
    .selectFrom('api_usage')
    .select(['provider', 'model'])
    .select([
      sql<string>`sum(cost_usd)`.as('cost'),
      sql<number>`sum(input_tokens)::int8`.as('input'),
      sql<number>`sum(output_tokens)::int8`.as('output'),
      sql<number>`sum(request_count)::int8`.as('requests'),
    ])
    .where('date', '>=', from)
    .where('date', '<=', to)
    .groupBy(['provider', 'model'])
    .orderBy('provider')
    .orderBy('model')
    .execute();
  return rows.map((r) => ({
    provider: r.provider,
    model: r.model,
    costUsd: Number(r.cost),
    inputTokens: Number(r.input),
    outputTokens: Number(r.output),
    requests: Number(r.requests),
  }));
}
