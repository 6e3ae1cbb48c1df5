import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Numeric, Timestamp } from './columns.ts';

// What model calls cost: per day, provider and model, and the budget windows checked before each call.

export interface ApiUsageTable {
  id: Generated<string>;
  date: ColumnType<string, string, string>;
  provider: string;
  model: string;
  input_tokens: ColumnType<number, number | undefined, number>;
  output_tokens: ColumnType<number, number | undefined, number>;
  cost_usd: Numeric;
  request_count: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** One row per UTC month: that month's and its latest day's spending, holds and tokens (migration 20261202_100000). */
export interface BudgetWindowsTable {
  /** First day of the month. */
  month: ColumnType<string, string, string>;
  /** The latest day seen in this month: the day_* columns are that day's. */
  day: ColumnType<string, string, string>;
  day_spent: Numeric;
  day_reserved: Numeric;
  day_tokens: ColumnType<string, number | string | undefined, number | string>;
  month_spent: Numeric;
  month_reserved: Numeric;
  month_tokens: ColumnType<string, number | string | undefined, number | string>;
  updated_at: Timestamp;
}

export type ApiUsageRow = Selectable<ApiUsageTable>;
