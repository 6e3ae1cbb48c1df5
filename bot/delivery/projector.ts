import type { Kysely } from 'kysely';
import type { ThreadBinding } from '../../db/repositories/chat.ts';
import {
  type BindingCursor,
  lockBindingCursor,
  saveBindingCursor,
} from '../../db/repositories/chat-delivery.ts';
import { enqueueOutbox } from '../../db/repositories/chat-outbox.ts';
import { type LogSlice, readLogAfter, takeInOrder } from '../../db/repositories/debate-log.ts';
import { type DebateNotice, readNoticesBetween } from '../../db/repositories/debate-notices.ts';
import type { ChatPlatformName, Database, DebateOutcome } from '../../db/schema.ts';
import { DEFAULT_ROUNDS } from '../../engine/constants.ts';
import type { Lang, Persona } from '../../personas/types.ts';
import {
  bannerKey,
  endBanner,
  messageKey,
  messagePayload,
  noticeKey,
  noticePayload,
  OUTBOX_KIND,
  type OutboxPayload,
  phaseBanner,
} from './render.ts';

// Messages read per statement; a thread far behind catches up in several batches of one transaction.
const LOG_BATCH = 200;

export interface ProjectorDeps {
  db: Kysely<Database>;
  platform: ChatPlatformName;
  personas: ReadonlyMap<string, Persona>;
  publicUrl: string;
}

export interface Projection {
  /** Rows were queued. */
  added: boolean;
  /** The debate has ended (or is gone) and everything it said is queued: nothing more will come. */
  finished: boolean;
  /** The last turn taken into the outbox (the binding's cursor after this projection). */
  cursorTurn: number;
  /** The turn the debate is writing now, as the log said during this projection. */
  turnInFlight: number | null;
}

const FINISHED = new Set(['completed', 'cancelled', 'failed']);

/**
 * Fills a thread's outbox from the committed log, past its cursor, in turn order: a banner where a
 * phase or round opens, one row per message, the end notice once the debate is over. A gap in the
 * turns is waited for only while it is the turn in flight (a person's message may take the index
 * after it); a turn given up for good is skipped. Idempotent, so any process may run it any time.
 *
 * Debate notices (paused, resumed) come from the log too, past the thread's notice cursor: each goes
 * before the first message committed after it, and those committed after every message taken so far
 * go at the end — at once, even when the thread waits for the turn in flight, which a pause may hold
 * for long.
 */
export function projectBinding(deps: ProjectorDeps, b: ThreadBinding): Promise<Projection> {
  const ctx = { platform: deps.platform, personas: deps.personas, publicUrl: deps.publicUrl };
  return deps.db.transaction().execute(async (trx) => {
    const start = await lockBindingCursor(trx, b.id);
    if (!start)
      return { added: false, finished: true, cursorTurn: Number.POSITIVE_INFINITY, turnInFlight: null };
    const cursor: BindingCursor = { ...start };
    let added = false;
    const put = async (key: string, kind: string, payload: OutboxPayload, messageId?: string) => {
      added =
        (await enqueueOutbox(trx, {
          bindingId: b.id,
          platform: deps.platform,
          debateId: b.debateId,
          messageId: messageId ?? null,
          kind,
          dedupKey: key,
          payload,
        })) || added;
    };
    const putBanner = async (
      debate: NonNullable<LogSlice['debate']>,
      phase: LogSlice['entries'][0]['phase'],
      round: number,
    ) => {
      const key = bannerKey(phase, round);
      if (key === cursor.lastBanner) return;
      await put(key, OUTBOX_KIND.banner, {
        embed: phaseBanner(phase, round, totalRounds(debate, phase, round), langOf(debate)),
      });
      cursor.lastBanner = key;
    };

    // Notices read but not queued yet, in commit order, and the last commit number read.
    const notices: DebateNotice[] = [];
    let noticesRead = cursor.noticeSeq;
    const readNotices = async (debate: NonNullable<LogSlice['debate']>) => {
      if (debate.lastNoticeSeq <= noticesRead) return;
      // Below the next_seq read with the messages: a prefix of the log consistent with them.
      const more = await readNoticesBetween(trx, b.debateId, noticesRead, debate.nextSeq);
      notices.push(...more);
      noticesRead = more.at(-1)?.seq ?? noticesRead;
    };
    const putNoticesBefore = async (seq: number, debate: NonNullable<LogSlice['debate']>) => {
      while (notices.length > 0 && notices[0]!.seq < seq) {
        const n = notices.shift()!;
        const payload = noticePayload(n, langOf(debate));
        if (payload) await put(noticeKey(n.seq), OUTBOX_KIND.notice, payload);
        cursor.noticeSeq = n.seq;
      }
    };

    let slice: LogSlice;
    let waiting = false;
    for (;;) {
      slice = await readLogAfter(trx, b.debateId, cursor.cursorTurn, LOG_BATCH);
      const debate = slice.debate;
      if (!debate) return { added, finished: true, cursorTurn: cursor.cursorTurn, turnInFlight: null };
      await readNotices(debate);
      // A turn claimed but not committed yet: what comes after it waits, so the order holds.
      const take = takeInOrder(cursor.cursorTurn, slice);
      for (const m of take.entries) {
        await putNoticesBefore(m.commitSeq, debate);
        const post = messagePayload(m, ctx);
        if (post) {
          await putBanner(debate, m.phase, m.round);
          await put(messageKey(m.id), post.kind, post.payload, m.id);
        }
        cursor.cursorTurn = m.turnIndex;
      }
      waiting = take.waiting;
      if (waiting || slice.entries.length < LOG_BATCH) break;
    }
    const debate = slice.debate!;
    await putNoticesBefore(Number.POSITIVE_INFINITY, debate);
    let finished = false;
    if (!FINISHED.has(debate.status)) {
      // The phase may have moved on before its first message: announce it when its turn starts.
      if (!waiting) await putBanner(debate, debate.phase, debate.round);
    } else {
      await put(
        'end',
        OUTBOX_KIND.notice,
        endBanner(
          debate.status as 'completed' | 'cancelled' | 'failed',
          debate.outcome as DebateOutcome | null,
          langOf(debate),
        ),
      );
      finished = true;
    }
    if (
      cursor.cursorTurn !== start.cursorTurn ||
      cursor.lastBanner !== start.lastBanner ||
      cursor.noticeSeq !== start.noticeSeq
    ) {
      await saveBindingCursor(trx, b.id, cursor);
    }
    return { added, finished, cursorTurn: cursor.cursorTurn, turnInFlight: debate.turnInFlight ?? null };
  });
}

function langOf(debate: NonNullable<LogSlice['debate']>): Lang {
  return debate.lang === 'ko' ? 'ko' : 'en';
}

/** Rounds as the debate was set up, or more when it was extended (as the engine announces them). */
function totalRounds(debate: NonNullable<LogSlice['debate']>, phase: string, round: number): number {
  const meta = debate.metadata as { rounds?: unknown } | null;
  const rounds = typeof meta?.rounds === 'number' && meta.rounds >= 1 ? meta.rounds : DEFAULT_ROUNDS;
  return phase === 'divergence' ? Math.max(rounds, round) : rounds;
}
