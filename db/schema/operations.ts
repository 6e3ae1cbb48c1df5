import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Json, NullableTimestamp, Timestamp } from './columns.ts';

// Running the arena: scheduled jobs' runs and leases, and the system log.

export interface SystemLogsTable {
  id: Generated<string>;
  level: 'debug' | 'info' | 'warn' | 'error';
  source: string;
  message: string;
  details: Json;
  trace: string | null;
  created_at: Timestamp;
}

/** A scheduled job's last run and its lease: one row per job name. */
export interface JobRunsTable {
  name: string;
  status: ColumnType<string, string | undefined, string>;
  lease_owner: string | null;
  lease_expires_at: NullableTimestamp;
  last_started_at: NullableTimestamp;
  last_finished_at: NullableTimestamp;
  last_duration_ms: number | null;
  last_result: Json;
  last_error: string | null;
  next_run_at: NullableTimestamp;
  runs: ColumnType<number, number | undefined, number>;
  updated_at: Timestamp;
}

export type SystemLogRow = Selectable<SystemLogsTable>;
export type JobRunRow = Selectable<JobRunsTable>;
