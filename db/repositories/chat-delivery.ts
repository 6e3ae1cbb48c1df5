import { type Kysely, sql } from 'kysely';
import type { AuthorKind, ChatPlatformName, Database, DebateStatus } from '../schema.ts';
import type { ThreadBinding } from './chat.ts';
import { toBinding } from './chat.ts';

// What delivery reads from the committed log, and the cursor and previews it keeps per thread.

/** A committed debate message as delivery needs it. */
export interface LogEntry {
  id: string;
  turnIndex: number;
  phase: 'divergence' | 'convergence' | 'planning';
  round: number;
  authorKind: AuthorKind;
  agentId: string;
  agentName: string;
  content: string;
}

/** The debate's state and its messages after a turn, read in one statement (one snapshot). */
export interface LogSlice {
  debate: {
    status: DebateStatus;
    phase: LogEntry['phase'];
    round: number;
    /** Turn claimed by the call in flight: a gap at this index will still be filled. */
    turnInFlight: number | null;
    lang: string;
    outcome: string | null;
    metadata: unknown;
  } | null;
  entries: LogEntry[];
}

/**
 * The debate and up to `limit` of its messages after `afterTurn`, in turn order. One statement, so
 * a gap in the turns and the turn in flight are seen at the same instant: a message committed
 * between two reads can never be mistaken for a turn that was given up.
 */
export async function readLogAfter(
  db: Kysely<Database>,
  debateId: string,
  afterTurn: number,
  limit: number,
): Promise<LogSlice> {
  const rows = await db
    .selectFrom('debate_sessions as s')
    .leftJoin('debate_messages as m', (j) =>
      j.onRef('m.session_id', '=', 's.id').on('m.turn_index', '>', afterTurn),
    )
    .select([
      's.status',
      's.phase as s_phase',
      's.round_number as s_round',
      's.turn_in_flight',
      's.lang',
      's.outcome',
      's.metadata',
      'm.id',
      'm.turn_index',
      'm.phase',
      'm.round_number',
      'm.author_kind',
      'm.agent_id',
      'm.agent_name',
      'm.content',
    ])
    .where('s.id', '=', debateId)
    .orderBy('m.turn_index')
    .limit(limit)
    .execute();
  const first = rows[0];
  if (!first) return { debate: null, entries: [] };
  return {
    debate: {
      status: first.status,
      phase: first.s_phase,
      round: first.s_round,
      turnInFlight: first.turn_in_flight,
      lang: first.lang,
      outcome: first.outcome,
      metadata: first.metadata,
    },
    entries: rows
      .filter((r) => r.id !== null)
      .map((r) => ({
        id: r.id!,
        turnIndex: r.turn_index!,
        phase: r.phase!,
        round: r.round_number!,
        authorKind: r.author_kind!,
        agentId: r.agent_id!,
        agentName: r.agent_name!,
        content: r.content!,
      })),
  };
}

export interface BindingCursor {
  cursorTurn: number;
  lastBanner: string | null;
}

/** Locks a binding's cursor for the rest of the transaction: one projection per thread at a time. */
export async function lockBindingCursor(
  trx: Kysely<Database>,
  bindingId: string,
): Promise<BindingCursor | null> {
  const row = await trx
    .selectFrom('chat_threads')
    .select(['cursor_turn', 'last_banner'])
    .where('id', '=', bindingId)
    .forUpdate()
    .executeTakeFirst();
  return row ? { cursorTurn: row.cursor_turn, lastBanner: row.last_banner } : null;
}

export async function saveBindingCursor(
  trx: Kysely<Database>,
  bindingId: string,
  c: BindingCursor,
): Promise<void> {
  await trx
    .updateTable('chat_threads')
    .set({ cursor_turn: c.cursorTurn, last_banner: c.lastBanner })
    .where('id', '=', bindingId)
    .execute();
}

/**
 * Bindings with something to do: a debate still running (previews, banners), committed messages
 * past the cursor, undelivered posts, previews left on screen, or a finished debate without its end
 * notice (e.g. one that completed while the process was down).
 */
export async function bindingsWithWork(
  db: Kysely<Database>,
  platform: ChatPlatformName,
): Promise<ThreadBinding[]> {
  const rows = await db
    .selectFrom('chat_threads as t')
    .innerJoin('debate_sessions as s', 's.id', 't.debate_id')
    .selectAll('t')
    .where('t.platform', '=', platform)
    .where((eb) =>
      eb.or([
        eb('s.status', 'in', ['active', 'paused']),
        eb.exists(
          eb
            .selectFrom('debate_messages as m')
            .select(sql`1`.as('one'))
            .whereRef('m.session_id', '=', 't.debate_id')
            .whereRef('m.turn_index', '>', 't.cursor_turn'),
        ),
        eb.exists(
          eb
            .selectFrom('chat_outbox as o')
            .select(sql`1`.as('one'))
            .whereRef('o.thread_binding_id', '=', 't.id')
            .where('o.status', '=', 'pending'),
        ),
        eb.exists(
          eb
            .selectFrom('chat_previews as p')
            .select(sql`1`.as('one'))
            .whereRef('p.thread_binding_id', '=', 't.id'),
        ),
        eb.not(
          eb.exists(
            eb
              .selectFrom('chat_outbox as o')
              .select(sql`1`.as('one'))
              .whereRef('o.thread_binding_id', '=', 't.id')
              .where('o.dedup_key', '=', 'end'),
          ),
        ),
      ]),
    )
    .orderBy('t.created_at')
    .execute();
  return rows.map(toBinding);
}

// ── Streaming previews ──────────────────────────────────────────────────────────────────────────

export interface TrackedPreview {
  turnIndex: number;
  remoteId: string;
  byIdentity: boolean;
}

export async function trackPreview(
  db: Kysely<Database>,
  bindingId: string,
  p: TrackedPreview,
): Promise<void> {
  await db
    .insertInto('chat_previews')
    .values({
      thread_binding_id: bindingId,
      turn_index: p.turnIndex,
      remote_id: p.remoteId,
      by_identity: p.byIdentity,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function untrackPreview(
  db: Kysely<Database>,
  bindingId: string,
  remoteId: string,
): Promise<void> {
  await db
    .deleteFrom('chat_previews')
    .where('thread_binding_id', '=', bindingId)
    .where('remote_id', '=', remoteId)
    .execute();
}

export async function listPreviews(db: Kysely<Database>, bindingId: string): Promise<TrackedPreview[]> {
  const rows = await db
    .selectFrom('chat_previews')
    .select(['turn_index', 'remote_id', 'by_identity'])
    .where('thread_binding_id', '=', bindingId)
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({ turnIndex: r.turn_index, remoteId: r.remote_id, byIdentity: r.by_identity }));
}
