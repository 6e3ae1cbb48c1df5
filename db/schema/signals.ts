import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { Json, NullableTimestamp, TextArray, Timestamp } from './columns.ts';

// Feeds become signals, signals become trends per period, trends become ideas.

export interface SignalsTable {
  id: Generated<string>;
  source: string;
  category: string;
  title: string;
  summary: string | null;
  url: string | null;
  raw_data: Json;
  score: ColumnType<number, number | undefined, number>;
  sentiment: string | null;
  topics: TextArray;
  entities: TextArray;
  collected_at: Timestamp;
  processed_at: NullableTimestamp;
  created_at: Timestamp;
  /** Unique key of the item across fetches and feeds: hash of its canonical URL or guid. */
  dedup_key: ColumnType<string | null, string | null | undefined, string | null>;
  published_at: NullableTimestamp;
  feed_url: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface TrendsTable {
  id: Generated<string>;
  period: string;
  name: string;
  description: string | null;
  score: number;
  signal_count: ColumnType<number, number | undefined, number>;
  category: string | null;
  keywords: TextArray;
  related_signals: TextArray;
  analysis_data: Json;
  analyzed_at: Timestamp;
  created_at: Timestamp;
}

export type IdeaStatus = 'pending' | 'in_debate' | 'selected' | 'rejected' | 'planned';

export interface IdeasTable {
  id: Generated<string>;
  title: string;
  summary: string;
  description: string | null;
  source_type: string;
  source_trend_id: string | null;
  source_signals: TextArray;
  status: ColumnType<IdeaStatus, IdeaStatus | undefined, IdeaStatus>;
  github_issue_id: number | null;
  github_issue_url: string | null;
  score: ColumnType<number, number | undefined, number>;
  metadata: Json;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** One configured feed's health and conditional-request validators (migration 20261202_140000). */
export interface FeedHealthTable {
  url: string;
  name: string;
  source: string;
  category: string;
  etag: string | null;
  last_modified: string | null;
  last_fetch_at: NullableTimestamp;
  last_ok_at: NullableTimestamp;
  last_error: string | null;
  last_error_at: NullableTimestamp;
  /** `ok`, `not_modified` or `error`. */
  last_status: string | null;
  items_last: ColumnType<number, number | undefined, number>;
  items_added_last: ColumnType<number, number | undefined, number>;
  /** Consecutive failed fetches; reset by a good one. */
  failures: ColumnType<number, number | undefined, number>;
  next_fetch_at: NullableTimestamp;
  updated_at: Timestamp;
}

export type Signal = Selectable<SignalsTable>;
export type NewSignal = Insertable<SignalsTable>;
export type Trend = Selectable<TrendsTable>;
export type Idea = Selectable<IdeasTable>;
export type NewIdea = Insertable<IdeasTable>;
export type FeedHealthRow = Selectable<FeedHealthTable>;
