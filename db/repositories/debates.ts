import { type Kysely, sql } from 'kysely';
import type {
  Database,
  DebateSessionRow,
  DebateSessionUpdate,
  DebateStatus,
  NewDebateSession,
} from '../schema.ts';
import { maxTurnIndex } from './debate-messages.ts';
import { NOTICE_SEQ_SET, type NoticeWrite, noticeFromUpdated } from './debate-notices.ts';

/**
 * A debate row with its idea's title and message count, as lists show it, and how far its phase
 * went: plan messages written, evaluators who answered in the current convergence cycle.
 */
export type DebateListRow = DebateSessionRow & {
  title: string;
  message_count: number;
  plan_count: number;
  verdict_count: number;
};

export function insertDebate(db: Kysely<Database>, row: NewDebateSession): Promise<DebateSessionRow> {
  return db.insertInto('debate_sessions').values(row).returningAll().executeTakeFirstOrThrow();
}

export function getDebateRow(db: Kysely<Database>, id: string): Promise<DebateSessionRow | undefined> {
  return db.selectFrom('debate_sessions').selectAll().where('id', '=', id).executeTakeFirst();
}

function summaries(db: Kysely<Database>) {
  return db
    .selectFrom('debate_sessions as d')
    .innerJoin('ideas as i', 'i.id', 'd.idea_id')
    .selectAll('d')
    .select([
      'i.title',
      sql<number>`(select count(*) from debate_messages m where m.session_id = d.id)::int8`.as(
        'message_count',
      ),
      sql<number>`(select count(*) from debate_messages m where m.session_id = d.id and m.message_type = 'plan')::int8`.as(
        'plan_count',
      ),
      sql<number>`(select count(distinct m.agent_id) from debate_messages m where m.session_id = d.id and m.message_type = 'verdict' and m.round_number = d.round_number)::int8`.as(
        'verdict_count',
      ),
    ]);
}

export function getDebateListRow(db: Kysely<Database>, id: string): Promise<DebateListRow | undefined> {
  return summaries(db).where('d.id', '=', id).executeTakeFirst();
}

/** Debates newest first, optionally of one status. */
export function listDebateRows(
  db: Kysely<Database>,
  filter: { status?: DebateStatus | undefined; limit?: number | undefined } = {},
): Promise<DebateListRow[]> {
  let q = summaries(db);
  if (filter.status) q = q.where('d.status', '=', filter.status);
  return q
    .orderBy('d.started_at', 'desc')
    .orderBy('d.id')
    .limit(filter.limit ?? 50)
    .execute();
}

/** Debates in a status (the seed's `get_active_sessions` with 'active'), optionally paused for one reason. */
export function listDebatesByStatus(
  db: Kysely<Database>,
  status: DebateStatus,
  opts: { pauseReason?: string } = {},
): Promise<DebateSessionRow[]> {
  let q = db.selectFrom('debate_sessions').selectAll().where('status', '=', status);
  if (opts.pauseReason) q = q.where('pause_reason', '=', opts.pauseReason);
  return q.orderBy('started_at').execute();
}

/**
 * Moves a debate from one of `from` to a new state and writes the notice telling of it, in one
 * statement (debate-notices.ts); undefined when it was not in one of those states (nothing written).
 */
export function transitionDebate(
  db: Kysely<Database>,
  id: string,
  from: readonly DebateStatus[],
  set: DebateSessionUpdate,
  notice: NoticeWrite,
): Promise<DebateSessionRow | undefined> {
  return db
    .with('t', (q) =>
      q
        .updateTable('debate_sessions')
        .set({ ...set, ...NOTICE_SEQ_SET })
        .where('id', '=', id)
        .where('status', 'in', from)
        .returningAll(),
    )
    .with('n', (q) =>
      q
        .insertInto('debate_notices')
        .columns(['session_id', 'seq', 'kind', 'reason'])
        .expression(noticeFromUpdated(notice))
        .returning('seq'),
    )
    .selectFrom('t')
    .selectAll()
    .executeTakeFirst();
}

/**
 * Takes a person's turn index and inserts their message, under the session row lock so it cannot
 * collide with a runner's claimed turn: it goes after the turn in flight, if any.
 */
export function insertWithNextTurnIndex<T>(
  db: Kysely<Database>,
  id: string,
  write: (
    trx: Kysely<Database>,
    session: DebateSessionRow,
    at: { turnIndex: number; commitSeq: number },
  ) => Promise<T>,
  /** The platform's id of the message: one already stored in this debate is not stored again. */
  sourceId?: string,
): Promise<{ ok: true; value: T } | { ok: false; reason: 'not_found' | 'already_finished' | 'duplicate' }> {
  return db.transaction().execute(async (trx) => {
    const session = await trx
      .selectFrom('debate_sessions')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!session) return { ok: false as const, reason: 'not_found' as const };
    // Under the session lock: a second delivery of the same message waits here, then sees the first.
    if (sourceId !== undefined) {
      const seen = await trx
        .selectFrom('debate_messages')
        .select('id')
        .where('session_id', '=', id)
        .where('source_id', '=', sourceId)
        .executeTakeFirst();
      if (seen) return { ok: false as const, reason: 'duplicate' as const };
    }
    if (!['active', 'paused'].includes(session.status))
      return { ok: false as const, reason: 'already_finished' as const };
    const turnIndex = Math.max(
      (await maxTurnIndex(trx, id)) + 1,
      session.next_turn,
      (session.turn_in_flight ?? -1) + 1,
    );
    // Bumping next_turn is what a runner's claim re-checks: it can no longer take this index.
    await trx
      .updateTable('debate_sessions')
      .set({ next_turn: turnIndex + 1, next_seq: session.next_seq + 1 })
      .where('id', '=', id)
      .execute();
    const value = await write(trx, session, { turnIndex, commitSeq: session.next_seq });
    return { ok: true as const, value };
  });
}

/** Whether an idea has a debate that is still running or paused. */
export async function ideaHasOpenDebate(db: Kysely<Database>, ideaId: string): Promise<boolean> {
  const row = await db
    .selectFrom('debate_sessions')
    .select('id')
    .where('idea_id', '=', ideaId)
    .where('status', 'in', ['active', 'paused'])
    .executeTakeFirst();
  return row !== undefined;
}

/** Adds spending outside a committed turn (an abandoned turn's calls) to its debate's running totals. */
export async function addDebateUsage(
  db: Kysely<Database>,
  debateId: string,
  u: { promptTokens: number; completionTokens: number; costUsd: number },
): Promise<void> {
  await db
    .updateTable('debate_sessions')
    .set({
      prompt_tokens: sql`prompt_tokens + ${u.promptTokens}::int`,
      completion_tokens: sql`completion_tokens + ${u.completionTokens}::int`,
      cost_usd: sql`cost_usd + ${u.costUsd.toFixed(6)}::numeric`,
      updated_at: sql`now()`,
    })
    .where('id', '=', debateId)
    .execute();
}
