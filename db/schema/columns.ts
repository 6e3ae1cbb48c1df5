import type { ColumnType, JSONColumnType } from 'kysely';

// Column types the tables share: how each driver reads a value and what a write may pass.

/** A timestamp column: read as Date, written as Date or ISO string, defaulted by the database. */
export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
export type NullableTimestamp = ColumnType<
  Date | null,
  Date | string | null | undefined,
  Date | string | null
>;
/** numeric columns come back from both drivers as strings; repositories map them to numbers. */
export type Numeric = ColumnType<string, number | string | undefined, number | string>;
// jsonb: pass plain objects on insert/update (never JSON.stringify: the driver would store a JSON string).
export type Json = JSONColumnType<
  Record<string, unknown> | null,
  Record<string, unknown> | null | undefined,
  Record<string, unknown> | null
>;
export type TextArray = ColumnType<string[] | null, string[] | null | undefined, string[] | null>;
