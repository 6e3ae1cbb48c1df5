import { type Kysely, sql } from 'kysely';
import type { Database, DebateSessionRow, DebateSessionUpdate, DebateStatus } from '../schema.ts';
import { insertNotice, NOTICE_SEQ_SET, type NoticeWrite } from './debate-notices.ts';

// A debate is run by at most one engine process: the one holding its row lease. Every write a
// runner makes goes through a conditional UPDATE on `lease_owner`, which also takes the row lock,
// so a runner that lost its lease can never commit a turn (fencing), on Postgres as on PGlite.

export interface LeaseProps {
  id: string;
  owner: string;
  now: Date;
  ttlMs: number;
}

const until = (p: LeaseProps) => new Date(p.now.getTime() + p.ttlMs);

/** Takes the lease on an active debate when it is free, expired or already ours; undefined otherwise. */
export function claimLease(db: Kysely<Database>, p: LeaseProps): Promise<DebateSessionRow | undefined> {
  return db
    .updateTable('debate_sessions')
    .set({ lease_owner: p.owner, lease_expires_at: until(p) })
    .where('id', '=', p.id)
    .where('status', '=', 'active')
    .where((eb) =>
      eb.or([
        eb('lease_owner', 'is', null),
        eb('lease_owner', '=', p.owner),
        eb('lease_expires_at', '<', p.now),
      ]),
    )
    .returningAll()
    .executeTakeFirst();
}

/** Active debates this owner could claim now, least recently touched first. */
export async function claimableDebateIds(
  db: Kysely<Database>,
  p: { owner: string; now: Date; limit: number },
): Promise<string[]> {
  const rows = await db
    .selectFrom('debate_sessions')
    .select('id')
    .where('status', '=', 'active')
    .where((eb) =>
      eb.or([
        eb('lease_owner', 'is', null),
        eb('lease_owner', '=', p.owner),
        eb('lease_expires_at', '<', p.now),
      ]),
    )
    .orderBy('updated_at')
    .limit(p.limit)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Updates a debate only while `owner` holds its lease (and it is in one of `statuses`), extending
 * the lease; undefined when the lease was lost. Inside a transaction this is the commit fence.
 */
export function updateLeased(
  db: Kysely<Database>,
  p: LeaseProps & { set?: DebateSessionUpdate; statuses?: readonly DebateStatus[] },
): Promise<DebateSessionRow | undefined> {
  let q = db
    .updateTable('debate_sessions')
    .set({ lease_expires_at: until(p), updated_at: p.now, ...p.set })
    .where('id', '=', p.id)
    .where('lease_owner', '=', p.owner);
  if (p.statuses) q = q.where('status', 'in', p.statuses);
  return q.returningAll().executeTakeFirst();
}

/**
 * Extends the leases `owner` still holds among `ids` until `until`, in one statement (a debate row
 * update that touches no indexed column: in place). Returns the ids renewed; the others were lost.
 */
export async function renewLeases(
  db: Kysely<Database>,
  p: { ids: readonly string[]; owner: string; until: Date },
): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    update debate_sessions set lease_expires_at = ${p.until.toISOString()}::timestamptz
    where id = any(${[...p.ids]}::uuid[]) and lease_owner = ${p.owner}
    returning id`.execute(db);
  return rows.map((r) => r.id);
}

/** Gives the lease up so another runner may take the debate at once. */
export async function releaseLease(db: Kysely<Database>, p: { id: string; owner: string }): Promise<void> {
  await db
    .updateTable('debate_sessions')
    .set({ lease_owner: null, lease_expires_at: null })
    .where('id', '=', p.id)
    .where('lease_owner', '=', p.owner)
    .execute();
}

export type TurnClaim =
  | { ok: true; session: DebateSessionRow }
  | { ok: false; reason: 'lease_lost' | 'not_active' | 'moved' };

/**
 * Claims `turnIndex` for the call about to be made, in one statement: only while `owner` holds the
 * lease, the debate is active, and the index is still the next free one (or the one claimed before
 * a crash, replayed). A person's message bumps next_turn under the row lock, and Postgres re-checks
 * this WHERE on the newest row, so the two can never take one index. 'moved': re-plan.
 */
export async function claimTurn(
  db: Kysely<Database>,
  p: LeaseProps & { turnIndex: number; speaker: string | null; set: DebateSessionUpdate },
): Promise<TurnClaim> {
  const t = p.turnIndex;
  const session = await db
    .updateTable('debate_sessions')
    .set({
      ...p.set,
      turn_in_flight: t,
      turn_speaker: p.speaker,
      next_turn: sql<number>`greatest(next_turn, ${t + 1}::int)`,
      lease_expires_at: until(p),
      updated_at: p.now,
    })
    .where('id', '=', p.id)
    .where('lease_owner', '=', p.owner)
    .where('status', '=', 'active')
    .where((eb) =>
      eb.or([
        eb('turn_in_flight', '=', t),
        eb.and([
          eb('turn_in_flight', 'is', null),
          eb('next_turn', '<=', t),
          // Rows written without bumping next_turn (imports, fixtures) still block the index.
          eb.not(
            eb.exists(
              eb
                .selectFrom('debate_messages')
                .select('turn_index')
                .whereRef('debate_messages.session_id', '=', 'debate_sessions.id')
                .where('turn_index', '>=', t),
            ),
          ),
        ]),
      ]),
    )
    .returningAll()
    .executeTakeFirst();
  if (session) return { ok: true, session };
  const now = await db
    .selectFrom('debate_sessions')
    .select(['lease_owner', 'status'])
    .where('id', '=', p.id)
    .executeTakeFirst();
  if (!now || now.lease_owner !== p.owner) return { ok: false, reason: 'lease_lost' };
  if (now.status !== 'active') return { ok: false, reason: 'not_active' };
  return { ok: false, reason: 'moved' };
}

/**
 * Ends this owner's run of a debate: applies `set` (e.g. a pause) if the debate is in one of
 * `statuses` (any when omitted), gives the lease up, and drops
 * the claimed turn index unless a person's message already follows it (then it is replayed later,
 * so the transcript keeps no gap). Undefined when the lease was already lost; `applied` says
 * whether `set` was, and with it `notice` (the state change told to viewers, debate-notices.ts).
 */
export function endLeasedRun(
  db: Kysely<Database>,
  p: LeaseProps & { set?: DebateSessionUpdate; statuses?: readonly DebateStatus[]; notice?: NoticeWrite },
): Promise<{ session: DebateSessionRow; applied: boolean } | undefined> {
  return db.transaction().execute(async (trx) => {
    const session = await updateLeased(trx, { id: p.id, owner: p.owner, now: p.now, ttlMs: p.ttlMs });
    if (!session) return undefined;
    const apply = !p.statuses || p.statuses.includes(session.status);
    const inFlight = session.turn_in_flight;
    // next_turn past the claimed index + 1: a person's message follows it, so it is kept.
    const keep = inFlight !== null && session.next_turn > inFlight + 1;
    const ended = await trx
      .updateTable('debate_sessions')
      .set({
        ...(apply ? p.set : {}),
        ...(apply && p.notice ? NOTICE_SEQ_SET : {}),
        turn_in_flight: keep ? inFlight : null,
        ...(inFlight !== null && !keep ? { next_turn: inFlight } : {}),
        turn_speaker: null,
        lease_owner: null,
        lease_expires_at: null,
      })
      .where('id', '=', p.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (apply && p.notice) await insertNotice(trx, p.id, ended.last_notice_seq, p.notice);
    return { session: ended, applied: apply };
  });
}
