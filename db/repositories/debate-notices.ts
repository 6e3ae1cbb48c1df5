import { type Kysely, sql } from 'kysely';
import type { Database, NoticeKind } from '../schema.ts';

// A debate's notices (paused, resumed, stopped) are part of its committed log: written with the
// transition they tell of, numbered from the debate's commit sequence, read by every consumer from
// its own cursor — so a notice whose event nobody saw still reaches every thread, once, in order.

export interface NoticeWrite {
  kind: NoticeKind;
  reason?: string | null;
}

export interface DebateNotice {
  seq: number;
  kind: NoticeKind;
  reason: string | null;
  createdAt: Date;
}

/**
 * The part of a transition's `update debate_sessions` that numbers its notice: the notice takes the
 * next commit number (assignments read the old row, so `last_notice_seq` is the old `next_seq`).
 */
export const NOTICE_SEQ_SET = {
  next_seq: sql<number>`next_seq + 1`,
  last_notice_seq: sql<number>`next_seq`,
} as const;

const reasonOf = (n: NoticeWrite) => (n.reason ?? null)?.slice(0, 50) ?? null;

/** Writes the notice numbered by NOTICE_SEQ_SET in the same transaction as that update. */
export async function insertNotice(
  trx: Kysely<Database>,
  debateId: string,
  seq: number,
  n: NoticeWrite,
): Promise<void> {
  await trx
    .insertInto('debate_notices')
    .values({ session_id: debateId, seq, kind: n.kind, reason: reasonOf(n) })
    .execute();
}

/** The row values of a notice inserted from a CTE named `t` that returned the updated session. */
export function noticeFromUpdated(n: NoticeWrite) {
  return sql`select t.id, t.last_notice_seq, ${n.kind}::varchar, ${reasonOf(n)}::varchar from t`;
}

/**
 * A debate's notices after `afterSeq` and before `beforeSeq`, in commit order. `beforeSeq` is the
 * debate's `next_seq` as read with its messages: every notice numbered below it had committed by
 * then, so what is read is a prefix of the log consistent with those messages.
 */
export async function readNoticesBetween(
  db: Kysely<Database>,
  debateId: string,
  afterSeq: number,
  beforeSeq: number,
): Promise<DebateNotice[]> {
  const rows = await db
    .selectFrom('debate_notices')
    .select(['seq', 'kind', 'reason', 'created_at'])
    .where('session_id', '=', debateId)
    .where('seq', '>', afterSeq)
    .where('seq', '<', beforeSeq)
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({ seq: r.seq, kind: r.kind, reason: r.reason, createdAt: r.created_at }));
}
