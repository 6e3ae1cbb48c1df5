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
 * Folds committed turns into the statistics tables, up to `limit` messages per call, in one
 * statement: their calls into api_usage per (day, provider, model), their persona's counters into
 * agent_states. Exactly once: a message is marked folded by the same statement (concurrent folders
 * skip each other's rows). Returns how many messages were folded. The budget windows are not
 * touched here: the turn's commit already counted its spending there.
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
        c.input, c.output, c.cost
      from fold_batch f cross join lateral jsonb_to_recordset(coalesce(f.usages, '[]'::jsonb))
        as c(provider text, model text, input int, output int, cost numeric)
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
