import { type Kysely, sql } from 'kysely';
import type {
  Database,
  DebatePhase,
  DebateSessionRow,
  DebateSessionUpdate,
  DebateStatus,
} from '../schema.ts';
import { debateCapFits, type HoldInput, usd, windowHold } from './budget.ts';
import { insertNotice, NOTICE_SEQ_SET, type NoticeWrite } from './debate-notices.ts';
import { utcDay } from './usage.ts';

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
  | {
      ok: true;
      session: DebateSessionRow;
      /** Whether `hold` was taken (false when none was asked). */
      held: boolean;
    }
  | { ok: false; reason: 'lease_lost' | 'not_active' | 'moved' };

/** A budget hold to take with the claim (see holdBudget): the first call's estimate and the limits. */
export type ClaimHold = Omit<HoldInput, 'debateId' | 'now'>;

/**
 * Claims `turnIndex` for the call about to be made, in one statement: only while `owner` holds the
 * lease, the debate is active, and the index is still the next free one (or the one claimed before
 * a crash, replayed). A person's message bumps next_turn under the row lock, and the row is locked
 * and read at its newest version here (FOR UPDATE), so the two can never take one index. 'moved':
 * re-plan. With `hold`, the same statement holds the first call's estimate on the budget window
 * and the debate (all or nothing, as holdBudget); a refused hold still claims the turn (`held`
 * false): the caller asks the budget again on its own, which folds before it refuses.
 * The row is found by its key alone and the message check uses the debate's id as a value: a
 * generic plan with the debate as a join partner scanned every message of every debate.
 */
export async function claimTurn(
  db: Kysely<Database>,
  p: LeaseProps & {
    turnIndex: number;
    speaker: string | null;
    phase: DebatePhase;
    round: number;
    hold?: ClaimHold | undefined;
  },
): Promise<TurnClaim> {
  const t = p.turnIndex;
  const id = sql`${p.id}::uuid`;
  const hold = p.hold && p.hold.amountUsd > 0 ? p.hold : undefined;
  const holdCte = hold
    ? sql`, hold_window as (
        ${windowHold({ ...hold, now: p.now }, sql`exists (select 1 from turn_claim where claimable and cap_fits)`)}
        returning 1
      )`
    : sql``;
  const heldSets = hold
    ? sql`, held_usd = held_usd + case when exists (select 1 from hold_window) then ${usd(hold.amountUsd)}::numeric else 0 end,
        held_day = case when exists (select 1 from hold_window) then ${utcDay(p.now)}::date else held_day end`
    : sql``;
  const { rows } = await sql<ClaimRow>`
    with turn_claim as (
      select lease_owner is not distinct from ${p.owner} as owned, status = 'active' as active,
        lease_owner is not distinct from ${p.owner} and status = 'active' and coalesce(turn_in_flight = ${t}::int
          or (turn_in_flight is null and next_turn <= ${t}::int
            -- Rows written without bumping next_turn (imports, fixtures) still block the index;
            -- max() reads one entry of (session_id, turn_index) from its end.
            and coalesce((select max(turn_index) from debate_messages where session_id = ${id}), -1) < ${t}::int),
          false) as claimable,
        ${hold ? debateCapFits(hold.debateUsd, hold.amountUsd) : sql`true`} as cap_fits
      from debate_sessions where id = ${id}
      for update
    )${holdCte}, claimed as (
      update debate_sessions set phase = ${p.phase}, round_number = ${p.round}::int,
        turn_in_flight = ${t}::int, turn_speaker = ${p.speaker},
        next_turn = greatest(next_turn, ${t + 1}::int),
        lease_expires_at = ${until(p).toISOString()}::timestamptz, updated_at = ${p.now.toISOString()}::timestamptz
        ${heldSets}
      where id = ${id} and exists (select 1 from turn_claim where claimable)
      returning *
    )
    select c.owned, c.active, ${hold ? sql`exists (select 1 from hold_window)` : sql`false`} as held, s.*
    from turn_claim c left join claimed s on true
  `.execute(db);
  const row = rows[0];
  if (!row?.owned) return { ok: false, reason: 'lease_lost' };
  if (!row.active) return { ok: false, reason: 'not_active' };
  if (row.id === null) return { ok: false, reason: 'moved' };
  const { owned: _o, active: _a, held, ...session } = row;
  return { ok: true, session: session as DebateSessionRow, held };
}

type ClaimRow = { owned: boolean; active: boolean; held: boolean } & (
  | DebateSessionRow
  | { [K in keyof DebateSessionRow]: null }
);

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
