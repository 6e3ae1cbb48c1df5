import type { Kysely } from 'kysely';
import type { AuthorKind, Database, DebateStatus } from '../schema.ts';

// Reading the committed log (`debate_messages`) from a cursor: every consumer — a chat thread, the
// dashboard's stream — is a projection of it and catches up from here after any missed event.

/** A committed debate message as a log consumer (chat delivery, the dashboard) needs it. */
export interface LogEntry {
  id: string;
  turnIndex: number;
  phase: 'divergence' | 'convergence' | 'planning';
  round: number;
  authorKind: AuthorKind;
  agentId: string;
  agentName: string;
  content: string;
  /** Commit order within the debate (debate notices are numbered in the same sequence). */
  commitSeq: number;
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
    pauseReason: string | null;
    metadata: unknown;
    /** The debate's next commit number as of this read: everything numbered below it is committed. */
    nextSeq: number;
    /** Commit number of its latest notice (-1: none): a reader past it need not read notices. */
    lastNoticeSeq: number;
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
      's.pause_reason',
      's.metadata',
      's.next_seq',
      's.last_notice_seq',
      'm.id',
      'm.turn_index',
      'm.phase',
      'm.round_number',
      'm.author_kind',
      'm.agent_id',
      'm.agent_name',
      'm.content',
      'm.commit_seq',
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
      pauseReason: first.pause_reason,
      metadata: first.metadata,
      nextSeq: first.next_seq,
      lastNoticeSeq: first.last_notice_seq,
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
        commitSeq: r.commit_seq!,
      })),
  };
}

/**
 * The entries a consumer whose cursor is at `cursor` may take now, in turn order. A gap in the turns
 * stops it while the gap is the turn in flight of a debate still open (a person's message may take
 * the index after it and commit first); a turn given up for good is skipped.
 */
export function takeInOrder(
  cursor: number,
  slice: LogSlice,
): { entries: LogEntry[]; cursor: number; waiting: boolean } {
  const debate = slice.debate;
  const open = debate !== null && (debate.status === 'active' || debate.status === 'paused');
  const inFlight = debate?.turnInFlight ?? null;
  const entries: LogEntry[] = [];
  for (const m of slice.entries) {
    if (open && inFlight !== null && inFlight > cursor && inFlight < m.turnIndex) {
      return { entries, cursor, waiting: true };
    }
    entries.push(m);
    cursor = m.turnIndex;
  }
  return { entries, cursor, waiting: false };
}
