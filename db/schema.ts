import type { ColumnType, Generated, Insertable, JSONColumnType, Selectable, Updateable } from 'kysely';

/** A timestamp column: read as Date, written as Date or ISO string, defaulted by the database. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** numeric columns come back from both drivers as strings; repositories map them to numbers. */
type Numeric = ColumnType<string, number | string | undefined, number | string>;
// jsonb: pass plain objects on insert/update (never JSON.stringify: the driver would store a JSON string).
type Json = JSONColumnType<
  Record<string, unknown> | null,
  Record<string, unknown> | null | undefined,
  Record<string, unknown> | null
>;
type TextArray = ColumnType<string[] | null, string[] | null | undefined, string[] | null>;

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

export type DebatePhase = 'divergence' | 'convergence' | 'planning';
export type DebateStatus = 'active' | 'paused' | 'completed' | 'cancelled' | 'failed';
export type DebateOutcome = 'selected' | 'rejected' | 'needs_refinement';

export interface DebateSessionsTable {
  id: Generated<string>;
  idea_id: string;
  phase: DebatePhase;
  round_number: ColumnType<number, number | undefined, number>;
  status: ColumnType<DebateStatus, DebateStatus | undefined, DebateStatus>;
  /** Why a debate is paused: 'budget', 'user', … */
  pause_reason: string | null;
  participants: TextArray;
  summary: string | null;
  outcome: DebateOutcome | null;
  lang: ColumnType<string, string | undefined, string>;
  /** Debate settings (rounds, caps) and engine progress that is not a column of its own. */
  metadata: Json;
  prompt_tokens: ColumnType<number, number | undefined, number>;
  completion_tokens: ColumnType<number, number | undefined, number>;
  cost_usd: Numeric;
  /** Row lease: the engine process that runs this debate now, and until when. */
  lease_owner: string | null;
  lease_expires_at: NullableTimestamp;
  /** Turn index claimed by the LLM call in flight; null between turns. */
  turn_in_flight: ColumnType<number | null, number | null | undefined, number | null>;
  /** The persona speaking in the turn in flight (null between turns or for the moderator). */
  turn_speaker: string | null;
  /** Next free turn index: 1 + the highest committed or claimed one. */
  next_turn: ColumnType<number, number | undefined, number>;
  /** Next commit number: debate_messages.commit_seq follows commit order. */
  next_seq: ColumnType<number, number | undefined, number>;
  /** Commit number of the debate's latest notice (debate_notices), -1 when it has none. */
  last_notice_seq: ColumnType<number, number | undefined, number>;
  /** Money this debate's runner holds on the budget window for calls in flight, and the day it was held. */
  held_usd: Numeric;
  held_day: ColumnType<string | null, string | null | undefined, string | null>;
  started_at: Timestamp;
  completed_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type MessageType =
  | 'propose'
  | 'support'
  | 'challenge'
  | 'refine'
  | 'merge'
  | 'human'
  | 'summary'
  | 'verdict'
  | 'plan';
export type AuthorKind = 'persona' | 'human' | 'system';

export interface DebateMessagesTable {
  id: Generated<string>;
  session_id: string;
  /** Position in the debate, unique per session: the idempotency key of a turn. */
  turn_index: number;
  phase: DebatePhase;
  round_number: ColumnType<number, number | undefined, number>;
  author_kind: ColumnType<AuthorKind, AuthorKind | undefined, AuthorKind>;
  agent_id: string;
  agent_name: string;
  message_type: MessageType;
  content: string;
  references: TextArray;
  personality_traits: Json;
  token_count: number | null;
  prompt_tokens: ColumnType<number, number | undefined, number>;
  completion_tokens: ColumnType<number, number | undefined, number>;
  cost_usd: Numeric;
  model_used: string | null;
  metadata: Json;
  created_at: Timestamp;
  /** Commit order within the debate, from 0: a delivery cursor follows it (turn_index may commit out of order). */
  commit_seq: number;
  /** The turn's model calls ({provider, model, input, output, cost, held, held_day}), folded later into api_usage and the budget window. */
  usages: ColumnType<UsageEntry[] | null, string | null | undefined, string | null>;
  /** False until the message's usage and persona counters are folded into api_usage and agent_states. */
  stats_folded: ColumnType<boolean, boolean | undefined, boolean>;
  /** A person's message: the platform's id of it (`discord:<id>`), unique per debate; else null. */
  source_id: ColumnType<string | null, string | null | undefined, string | null>;
}

/** One model call of a turn, as kept in debate_messages.usages. */
export interface UsageEntry {
  provider: string;
  model: string;
  input: number;
  output: number;
  cost: number;
  /** What the call held on the budget window and the UTC day it was held, given back when folded. */
  held?: number | undefined;
  held_day?: string | undefined;
}

export interface PlansTable {
  id: Generated<string>;
  idea_id: string;
  debate_session_id: string | null;
  title: string;
  version: ColumnType<number, number | undefined, number>;
  status: ColumnType<string, string | undefined, string>;
  prd_content: string | null;
  architecture_content: string | null;
  user_research_content: string | null;
  business_model_content: string | null;
  project_plan_content: string | null;
  final_plan: string | null;
  github_issue_id: number | null;
  github_issue_url: string | null;
  metadata: Json;
  created_at: Timestamp;
  updated_at: Timestamp;
}

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

export interface SystemLogsTable {
  id: Generated<string>;
  level: 'debug' | 'info' | 'warn' | 'error';
  source: string;
  message: string;
  details: Json;
  trace: string | null;
  created_at: Timestamp;
}

export interface AgentStatesTable {
  id: string;
  name: string;
  status: ColumnType<string, string | undefined, string>;
  current_task: string | null;
  last_active_at: NullableTimestamp;
  total_messages: ColumnType<number, number | undefined, number>;
  total_tokens: ColumnType<number, number | undefined, number>;
  metadata: Json;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type ChatPlatformName = 'discord' | 'slack';

/** A debate mirrored into a chat thread. */
/** A thread a bot process is asked to open for a debate (written with the debate, by a worker). */
export interface ChatThreadRequestsTable {
  id: Generated<string>;
  platform: ChatPlatformName;
  workspace_id: string;
  channel_id: string;
  title: string;
  debate_id: string;
  created_by: string | null;
  status: ColumnType<'pending' | 'done' | 'failed', 'pending' | 'done' | 'failed' | undefined>;
  thread_id: ColumnType<string | null, string | null | undefined, string | null>;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: ColumnType<string | null, string | null | undefined, string | null>;
  claimed_by: ColumnType<string | null, string | null | undefined, string | null>;
  claimed_until: NullableTimestamp;
  created_at: Generated<Date>;
}

export interface ChatThreadsTable {
  id: Generated<string>;
  platform: ChatPlatformName;
  workspace_id: string;
  channel_id: string;
  thread_id: string;
  debate_id: string;
  created_by: string | null;
  created_at: Timestamp;
  /** Last turn of the debate taken into this thread's outbox (-1: none yet). */
  cursor_turn: ColumnType<number, number | undefined, number>;
  /** Banner key of that turn, so the next turn knows whether it opens a new phase or round. */
  last_banner: ColumnType<string | null, string | null | undefined, string | null>;
  /** Process that delivers this thread now, and until when its lease holds. */
  delivery_owner: ColumnType<string | null, string | null | undefined, string | null>;
  delivery_until: NullableTimestamp;
  /** Commit number of the last debate notice taken into this thread's outbox (-1: none yet). */
  notice_seq: ColumnType<number, number | undefined, number>;
}

/** A streaming preview on screen: removed when its message is delivered or after a restart. */
export interface ChatPreviewsTable {
  id: Generated<string>;
  thread_binding_id: string;
  turn_index: number;
  remote_id: string;
  /** Posted through an identity (webhook) rather than as the bot itself. */
  by_identity: boolean;
  created_at: Generated<Date>;
}

/** One webhook per parent channel; `token` is a secret and never leaves the server. */
export interface ChatWebhooksTable {
  platform: ChatPlatformName;
  channel_id: string;
  webhook_id: string;
  token: string;
  created_at: Timestamp;
}

export type OutboxStatus = 'pending' | 'sent' | 'failed';

/** One row per chat post: delivered in `seq` order per thread, retried until the platform has it. */
export interface ChatOutboxTable {
  id: Generated<string>;
  seq: Generated<string>;
  thread_binding_id: string;
  platform: ChatPlatformName;
  debate_id: string;
  /** The debate message this post carries, or null for banners and notices. */
  message_id: string | null;
  kind: string;
  payload: Json;
  status: ColumnType<OutboxStatus, OutboxStatus | undefined, OutboxStatus>;
  /** Remote ids of the posted message(s), comma-separated when a long message was split. */
  remote_id: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  next_attempt_at: Timestamp;
  created_at: Timestamp;
  sent_at: NullableTimestamp;
  /** Per-binding idempotency key of the post (`msg:<id>`, `banner:<phase>:<round>`, …). */
  dedup_key: ColumnType<string | null, string | null | undefined, string | null>;
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

export type NoticeKind = 'paused' | 'resumed' | 'stopped';

/**
 * A state change of a debate that viewers are told about, written with the transition itself and
 * numbered from the debate's commit sequence, so it sorts among the messages (migration 20261203_30).
 */
export interface DebateNoticesTable {
  session_id: string;
  seq: number;
  kind: NoticeKind;
  /** Why: the pause reason ('user', 'budget', 'error', …), or who resumed ('user', 'budget', 'error'). */
  reason: string | null;
  created_at: Generated<Date>;
}

/** The process holding a chat platform's gateway/socket, and until when its lease holds. */
export interface PlatformLeadersTable {
  platform: string;
  owner: string | null;
  lease_until: NullableTimestamp;
  since: ColumnType<Date, Date | undefined, Date>;
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

export interface Database {
  signals: SignalsTable;
  trends: TrendsTable;
  ideas: IdeasTable;
  debate_sessions: DebateSessionsTable;
  debate_messages: DebateMessagesTable;
  debate_notices: DebateNoticesTable;
  plans: PlansTable;
  api_usage: ApiUsageTable;
  system_logs: SystemLogsTable;
  agent_states: AgentStatesTable;
  chat_threads: ChatThreadsTable;
  chat_webhooks: ChatWebhooksTable;
  chat_thread_requests: ChatThreadRequestsTable;
  chat_outbox: ChatOutboxTable;
  chat_previews: ChatPreviewsTable;
  feed_health: FeedHealthTable;
  job_runs: JobRunsTable;
  platform_leaders: PlatformLeadersTable;
  budget_windows: BudgetWindowsTable;
}

export type Signal = Selectable<SignalsTable>;
export type NewSignal = Insertable<SignalsTable>;
export type Trend = Selectable<TrendsTable>;
export type Idea = Selectable<IdeasTable>;
export type NewIdea = Insertable<IdeasTable>;
export type DebateSessionRow = Selectable<DebateSessionsTable>;
export type NewDebateSession = Insertable<DebateSessionsTable>;
export type DebateSessionUpdate = Updateable<DebateSessionsTable>;
export type DebateMessageRow = Selectable<DebateMessagesTable>;
export type NewDebateMessage = Insertable<DebateMessagesTable>;
export type PlanRow = Selectable<PlansTable>;
export type NewPlan = Insertable<PlansTable>;
export type ApiUsageRow = Selectable<ApiUsageTable>;
export type SystemLogRow = Selectable<SystemLogsTable>;
export type AgentStateRow = Selectable<AgentStatesTable>;
export type ChatThreadRow = Selectable<ChatThreadsTable>;
export type ChatWebhookRow = Selectable<ChatWebhooksTable>;
export type ChatOutboxRow = Selectable<ChatOutboxTable>;
export type FeedHealthRow = Selectable<FeedHealthTable>;
export type JobRunRow = Selectable<JobRunsTable>;
