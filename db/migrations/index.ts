import type { Migration } from 'kysely';
import * as initialSchema from './20261125_000001_initial_schema.ts';
import * as chatOutboxDedup from './20261125_050000_chat_outbox_dedup.ts';
import * as budgetReservations from './20261125_120000_budget_reservations.ts';
import * as debateTurnInFlight from './20261125_130000_debate_turn_in_flight.ts';
import * as turnOneStatement from './20261202_100000_turn_one_statement.ts';
import * as deliveryCursor from './20261202_120000_delivery_cursor.ts';
import * as signalsFeedsJobs from './20261202_140000_signals_feeds_jobs.ts';
import * as onePlanPerDebate from './20261202_163000_one_plan_per_debate.ts';
import * as platformLeaders from './20261202_173000_platform_leaders.ts';
import * as humanSourceId from './20261202_180000_human_source_id.ts';
import * as turnHotUpdates from './20261203_100000_turn_hot_updates.ts';
import * as debateNotices from './20261203_300000_debate_notices.ts';
import * as chatThreadRequests from './20261203_400000_chat_thread_requests.ts';

/** Every migration, by timestamped name; Kysely runs them in name order. Add new ones here. */
export const migrations: Record<string, Migration> = {
  '20261125_000001_initial_schema': initialSchema,
  '20261125_050000_chat_outbox_dedup': chatOutboxDedup,
  '20261125_120000_budget_reservations': budgetReservations,
  '20261125_130000_debate_turn_in_flight': debateTurnInFlight,
  '20261202_100000_turn_one_statement': turnOneStatement,
  '20261202_120000_delivery_cursor': deliveryCursor,
  '20261202_140000_signals_feeds_jobs': signalsFeedsJobs,
  '20261202_163000_one_plan_per_debate': onePlanPerDebate,
  '20261202_173000_platform_leaders': platformLeaders,
  '20261202_180000_human_source_id': humanSourceId,
  '20261203_100000_turn_hot_updates': turnHotUpdates,
  '20261203_300000_debate_notices': debateNotices,
  '20261203_400000_chat_thread_requests': chatThreadRequests,
};
