import { type Kysely, sql } from 'kysely';
import type { Database } from '../schema.ts';

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

/** Adds one call's usage to its (date, provider, model) row in a single atomic upsert. */
export async function recordUsage(db: Kysely<Database>, u: UsageIncrement): Promise<void> {
  const requests = u.requests ?? 1;
  await db
    .insertInto('api_usage')
    .values({
      date: u.date,
      provider: u.provider,
      model: u.model,
      input_tokens: u.inputTokens,
      output_tokens: u.outputTokens,
      cost_usd: u.costUsd,
      request_count: requests,
    })
    .onConflict((oc) =>
      oc.columns(['date', 'provider', 'model']).doUpdateSet({
        input_tokens: sql`api_usage.input_tokens + excluded.input_tokens`,
        output_tokens: sql`api_usage.output_tokens + excluded.output_tokens`,
        cost_usd: sql`api_usage.cost_usd + excluded.cost_usd`,
        request_count: sql`api_usage.request_count + excluded.request_count`,
        updated_at: sql`now()`,
      }),
    )
    .execute();
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
