import { type Kysely, type RawBuilder, sql } from 'kysely';
import type {
  Database,
  DebateMessageRow,
  DebateOutcome,
  IdeaStatus,
  NewDebateMessage,
  UsageEntry,
} from '../schema.ts';
import { usd } from './budget.ts';
import type { LeaseProps } from './debate-leases.ts';
import { type PlanWrite, planUpsert } from './plans.ts';

/** A committed turn's message, before the commit numbers it. */
export type TurnMessage = Omit<NewDebateMessage, 'commit_seq' | 'usages' | 'stats_folded'>;

export interface TurnCommit {
  lease: LeaseProps;
  message: TurnMessage;
  /** What the turn changes on the debate besides its totals. */
  set: { participants?: string[]; summary?: string; outcome?: DebateOutcome | null };
  /**
   * The turn's model calls, each with the hold it took: added to the debate's totals (its holds
   * given back) now; folded into the budget window (spent in, holds out) and api_usage later.
   */
  usages: readonly UsageEntry[];
  /** A plan section or the final plan, written into the debate's plan in the same statement. */
  plan?: PlanWrite | undefined;
  /** The idea's new status (an outcome, a final plan), set in the same statement. */
  idea?: { id: string; status: IdeaStatus; score?: number | undefined } | undefined;
}

/**
 * Commits one turn in ONE statement, fenced by the lease: the debate row (lease extended, claim
 * cleared, totals and holds, commit number taken) and the message, and for planning steps the plan
 * and the idea's status — each only if the fenced update matched. A statement is atomic, so this
 * is the turn's whole transaction. The budget window is not touched: a row lock is held until
 * COMMIT has flushed the WAL, so every writer of the one window row queued a whole fsync behind
 * the one before (the hold and the commit of every call: the arena's ceiling). The turn's spending
 * and given-back holds reach the window with the next stats fold (foldTurnStats, within about a
 * second), exactly once; until then its hold stays counted, so limits are never loosened.
 * Undefined when the lease was lost or the debate ended: then nothing was written.
 */
export async function commitTurn(db: Kysely<Database>, c: TurnCommit): Promise<DebateMessageRow | undefined> {
  const { lease, message: m } = c;
  const sum = (k: 'input' | 'output' | 'cost' | 'held') => c.usages.reduce((n, u) => n + (u[k] ?? 0), 0);
  const cost = sum('cost');
  const until = new Date(lease.now.getTime() + lease.ttlMs).toISOString();
  const sets: RawBuilder<unknown>[] = [
    sql`turn_in_flight = null`,
    sql`turn_speaker = null`,
    sql`next_seq = next_seq + 1`,
    sql`prompt_tokens = prompt_tokens + ${sum('input')}::int`,
    sql`completion_tokens = completion_tokens + ${sum('output')}::int`,
    sql`cost_usd = cost_usd + ${usd(cost)}::numeric`,
    sql`held_usd = greatest(held_usd - ${usd(sum('held'))}::numeric, 0)`,
    sql`lease_expires_at = ${until}::timestamptz`,
    sql`updated_at = ${lease.now.toISOString()}::timestamptz`,
  ];
  if (c.set.participants) sets.push(sql`participants = ${c.set.participants}::text[]`);
  if (c.set.summary !== undefined) sets.push(sql`summary = ${c.set.summary}`);
  if (c.set.outcome !== undefined) sets.push(sql`outcome = ${c.set.outcome}`);
  const plan = c.plan
    ? sql`, p as (${planUpsert({ ...c.plan, debateId: lease.id, now: lease.now }, sql`from turn_session`)} returning 1)`
    : sql``;
  const idea = c.idea
    ? sql`, i as (
        update ideas set status = ${c.idea.status}, updated_at = ${lease.now.toISOString()}::timestamptz
          ${c.idea.score === undefined ? sql`` : sql`, score = ${c.idea.score}::float8`}
        where id = ${c.idea.id}::uuid and exists (select 1 from turn_session)
        returning 1)`
    : sql``;
  const json = (v: unknown) => sql`${v === null || v === undefined ? null : JSON.stringify(v)}::text::jsonb`;
  const columns: [string, RawBuilder<unknown>][] = [
    ['session_id', sql`${m.session_id}::uuid`],
    ['turn_index', sql`${m.turn_index}::int`],
    ['phase', sql`${m.phase}`],
    ['round_number', sql`${m.round_number ?? 1}::int`],
    ['author_kind', sql`${m.author_kind ?? 'persona'}`],
    ['agent_id', sql`${m.agent_id}`],
    ['agent_name', sql`${m.agent_name}`],
    ['message_type', sql`${m.message_type}`],
    ['content', sql`${m.content}`],
    ['references', sql`${m.references ?? []}::uuid[]`],
    ['personality_traits', json(m.personality_traits)],
    ['token_count', sql`${m.token_count ?? null}::int`],
    ['prompt_tokens', sql`${m.prompt_tokens ?? 0}::int`],
    ['completion_tokens', sql`${m.completion_tokens ?? 0}::int`],
    ['cost_usd', sql`${usd(Number(m.cost_usd ?? 0))}::numeric`],
    ['model_used', sql`${m.model_used ?? null}`],
    ['metadata', json(m.metadata)],
    ['created_at', sql`${new Date(m.created_at ?? lease.now).toISOString()}::timestamptz`],
    ['commit_seq', sql`turn_session.seq`],
    ['usages', json(c.usages.length > 0 ? c.usages : null)],
    // A persona's message is counted for it later (foldTurnStats), as are calls for api_usage and the window.
    ['stats_folded', sql`${!(m.author_kind === 'persona' || c.usages.length > 0)}::boolean`],
  ];
  const { rows } = await sql<DebateMessageRow>`
    with turn_session as (
      update debate_sessions set ${sql.join(sets)}
      where id = ${lease.id}::uuid and lease_owner = ${lease.owner} and status in ('active', 'paused')
      returning next_seq - 1 as seq
    )${plan}${idea}
    insert into debate_messages (${sql.join(columns.map(([col]) => sql.ref(col)))})
    select ${sql.join(columns.map(([, v]) => v))} from turn_session
    returning *
  `.execute(db);
  return rows[0];
}
