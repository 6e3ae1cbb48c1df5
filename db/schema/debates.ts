import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { Json, NullableTimestamp, Numeric, TextArray, Timestamp } from './columns.ts';

// Debates: the session row, its committed log (messages and notices), plans and persona states.

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

export type DebateSessionRow = Selectable<DebateSessionsTable>;
export type NewDebateSession = Insertable<DebateSessionsTable>;
export type DebateSessionUpdate = Updateable<DebateSessionsTable>;
export type DebateMessageRow = Selectable<DebateMessagesTable>;
export type NewDebateMessage = Insertable<DebateMessagesTable>;
export type PlanRow = Selectable<PlansTable>;
export type NewPlan = Insertable<PlansTable>;
export type AgentStateRow = Selectable<AgentStatesTable>;
