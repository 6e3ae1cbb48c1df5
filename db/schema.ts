/**
 * The database as Kysely sees it: one table type per table, kept by domain under schema/ and
 * gathered here, so every repository imports `Database` and row types from this one module.
 */

import type { ApiUsageTable, BudgetWindowsTable } from './schema/budget.ts';
import type {
  ChatOutboxTable,
  ChatPreviewsTable,
  ChatThreadRequestsTable,
  ChatThreadsTable,
  ChatWebhooksTable,
  PlatformLeadersTable,
} from './schema/chat.ts';
import type {
  AgentStatesTable,
  DebateMessagesTable,
  DebateNoticesTable,
  DebateSessionsTable,
  PlansTable,
} from './schema/debates.ts';
import type { JobRunsTable, SystemLogsTable } from './schema/operations.ts';
import type { FeedHealthTable, IdeasTable, SignalsTable, TrendsTable } from './schema/signals.ts';

export type * from './schema/budget.ts';
export type * from './schema/chat.ts';
export type * from './schema/debates.ts';
export type * from './schema/operations.ts';
export type * from './schema/signals.ts';

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
