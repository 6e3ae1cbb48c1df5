import type { Kysely } from 'kysely';
import { type LogSlice, readLogAfter, takeInOrder } from '../../db/repositories/debate-log.ts';
import type { Database, DebateStatus } from '../../db/schema.ts';
import type { Arena } from '../../engine/api.ts';
import type { Clock } from '../../engine/clock.ts';
import type { ArenaEvent, EventBus } from '../../engine/events.ts';
import type { Logger } from '../../engine/log.ts';

export interface LogFollowerOptions {
  bus: EventBus;
  db: Kysely<Database>;
  arena: Pick<Arena, 'getDebate'>;
  clock: Clock;
  log: Logger;
  /** How often debates seen lately are checked against the log even without events. */
  sweepMs?: number;
  /** A check follows an event of the debate after this long (events come in bursts). */
  debounceMs?: number;
  /**
   * How long a committed message may go without its event before it is caught up from the log.
   * Its event is normally published just after the commit (or after the steps before it, for a
   * parallel group), so a check between the two must not cost a whole-debate read.
   */
  graceMs?: number;
  /**
   * Log reads in flight at once, for all debates together. Checks wait their turn as debate ids in
   * a set (one entry per debate however many events asked), not as queries in the pool's queue: at
   * 500 debates on 10 connections, unbounded checks piled up thousands of reads behind the debates'
   * own statements (issue #11 part b, ~350 MB of peak RSS).
   */
  maxReads?: number;
}

/** Everything the follower keeps of one debate. */
interface Followed {
  /** Last turn known to have reached viewers (or to need no replay). */
  cursor: number;
  /**
   * Turns past the cursor: `told` once viewers have them (from the bus or caught up), else when a
   * check first found them committed without their event.
   */
  turns: Map<number, 'told' | number>;
  /** The debate's status as viewers were last told it (null: not known yet, taken from the log). */
  status: DebateStatus | null;
  /** When a check first read a status other than the one viewers were told. */
  statusDiffSince: number | null;
  timer: ReturnType<typeof setTimeout> | null;
  /** The last event, or when the debate was followed to its end: forgotten FORGET_AFTER_MS later. */
  lastAt: number;
  /** Followed to its end: kept only so that a late event of it is not shown again. */
  ended: boolean;
  /** A check is reading or waiting for a read slot: no second one starts meanwhile. */
  checking: boolean;
  /** Asked for again while checking: the delay of the one check to schedule after it. */
  again: number | null;
}

// A debate with no event for this long is no longer swept (its viewers reload its state on open).
const FORGET_AFTER_MS = 10 * 60_000;
const LOG_BATCH = 500;

/**
 * Keeps the dashboard's stream a projection of the committed log: a cursor per debate, advanced by
 * `message.created` events and, when an event was missed (a Redis hiccup, a publish that failed
 * after its commit), by reading `debate_messages` past it. Listeners get the bus's events plus the
 * messages caught up from the log, each message once.
 */
export function createLogFollower(opts: LogFollowerOptions) {
  const followed = new Map<string, Followed>();
  const listeners = new Set<(event: ArenaEvent) => void>();
  const emit = (event: ArenaEvent) => {
    for (const fn of [...listeners]) fn(event);
  };
  const debounceMs = opts.debounceMs ?? 500;
  const graceMs = opts.graceMs ?? 2_000;
  const maxReads = Math.max(1, opts.maxReads ?? 2);
  /** Debates whose check is due, waiting for a read slot, oldest first. */
  const due = new Set<string>();
  let reading = 0;
  let closed = false;

  /** The debate followed now, if it is (not one followed to its end). */
  const live = (debateId: string): Followed | undefined => {
    const f = followed.get(debateId);
    return f && !f.ended ? f : undefined;
  };
  const follow = (debateId: string, cursor: number): Followed => {
    let f = live(debateId);
    if (!f) {
      f = {
        cursor,
        turns: new Map(),
        status: null,
        statusDiffSince: null,
        timer: null,
        lastAt: Date.now(),
        ended: false,
        checking: false,
        again: null,
      };
      followed.set(debateId, f);
    }
    return f;
  };

  async function check(debateId: string): Promise<void> {
    const f = live(debateId);
    if (!f || closed) return;
    const slice = await readLogAfter(opts.db, debateId, f.cursor, LOG_BATCH);
    const take = takeInOrder(f.cursor, slice);
    const now = Date.now();
    // Only messages whose events stayed away for the grace period are caught up; the cursor stops
    // before the first one still within it, so its event (or the next check) can take it.
    const due: typeof take.entries = [];
    let pendingFrom: number | null = null;
    for (const e of take.entries) {
      const since = f.turns.get(e.turnIndex) ?? now;
      if (since === 'told') continue;
      f.turns.set(e.turnIndex, since);
      if (now - since >= graceMs) due.push(e);
      else pendingFrom ??= e.turnIndex;
    }
    if (due.length > 0) {
      const detail = await opts.arena.getDebate(debateId);
      for (const m of due) {
        const view = detail?.messages.find((x) => x.id === m.id);
        if (!view || f.turns.get(m.turnIndex) === 'told') continue;
        f.turns.set(m.turnIndex, 'told');
        emit({
          type: 'message.created',
          at: opts.clock.now().toISOString(),
          debateId,
          message: view,
        });
      }
      opts.log.info('dashboard caught up from the log', { debateId, missed: due.length });
    }
    f.cursor = pendingFrom === null ? take.cursor : Math.max(f.cursor, pendingFrom - 1);
    for (const t of f.turns.keys()) if (t <= f.cursor) f.turns.delete(t);
    const statusPending = await followStatus(debateId, f, slice.debate, now);
    if (pendingFrom !== null || statusPending) {
      scheduleIn(debateId, graceMs);
      return;
    }
    if (
      slice.debate === null ||
      (!take.waiting && slice.debate.status !== 'active' && slice.debate.status !== 'paused')
    ) {
      // Everything it will ever say has been seen.
      if (f.timer) clearTimeout(f.timer);
      f.timer = null;
      f.turns.clear();
      f.ended = true;
      f.lastAt = Date.now();
    }
  }

  /**
   * Pauses, resumes and ends are in the log too (the debate row, written with its notice): a status
   * whose event stayed away for the grace period is told to viewers from there. True while waiting.
   */
  async function followStatus(
    debateId: string,
    f: Followed,
    debate: LogSlice['debate'],
    now: number,
  ): Promise<boolean> {
    if (debate === null) return false;
    if (f.status === null || f.status === debate.status) {
      f.status = debate.status;
      f.statusDiffSince = null;
      return false;
    }
    f.statusDiffSince ??= now;
    if (now - f.statusDiffSince < graceMs) return true;
    const at = opts.clock.now().toISOString();
    const status = debate.status;
    if (status === 'paused')
      emit({ type: 'debate.paused', at, debateId, reason: debate.pauseReason ?? 'unknown' });
    else if (status === 'active') emit({ type: 'debate.resumed', at, debateId });
    else {
      const detail = await opts.arena.getDebate(debateId);
      emit({
        type: 'debate.completed',
        at,
        debateId,
        status,
        outcome: detail?.outcome ?? null,
        planId: detail?.plan?.id ?? null,
      });
    }
    opts.log.info('dashboard caught up a status from the log', { debateId, status });
    f.status = status;
    f.statusDiffSince = null;
    return false;
  }

  /** One check per debate at a time, and at most `maxReads` reading: the rest wait in `due`. */
  const scheduleIn = (debateId: string, ms: number) => {
    const f = live(debateId);
    if (!f || f.timer || closed) return;
    if (f.checking) {
      f.again = Math.min(f.again ?? ms, ms);
      return;
    }
    f.timer = setTimeout(() => {
      f.timer = null;
      f.checking = true;
      due.add(debateId);
      pump();
    }, ms);
  };
  const pump = () => {
    for (const debateId of due) {
      if (reading >= maxReads || closed) return;
      due.delete(debateId);
      const f = live(debateId);
      if (!f) continue;
      reading++;
      check(debateId)
        .catch((error) =>
          opts.log.debug('log check failed', {
            error: error instanceof Error ? error.message : String(error),
          }),
        )
        .finally(() => {
          reading--;
          f.checking = false;
          const again = f.again;
          f.again = null;
          if (again !== null && live(debateId) === f) scheduleIn(debateId, again);
          pump();
        });
    }
  };
  const schedule = (debateId: string) => scheduleIn(debateId, debounceMs);

  const unsubscribe = opts.bus.subscribe((event) => {
    if (!('debateId' in event) || event.type === 'message.delta') return emit(event);
    const id = event.debateId;
    if (event.type === 'message.created') {
      const turn = event.message.turnIndex;
      // A late event of a debate already followed to its end: shown from the log before.
      const known = followed.get(id);
      if (known?.ended && turn <= known.cursor) return;
      const f = follow(id, turn - 1);
      // Already caught up from the log (the event came late): viewers have it.
      if (turn <= f.cursor || f.turns.get(turn) === 'told') return;
      f.turns.set(turn, 'told');
    } else if (event.type === 'debate.created') follow(id, -1).status = 'active';
    else if (event.type === 'turn.started') follow(id, event.turnIndex - 1);
    const told = live(id);
    if (told) {
      // A turn under way: the debate runs.
      if (event.type === 'turn.started' || event.type === 'message.created') told.status ??= 'active';
      if (event.type === 'debate.paused') told.status = 'paused';
      else if (event.type === 'debate.resumed') told.status = 'active';
      else if (event.type === 'debate.completed') told.status = event.status;
      if (
        event.type === 'debate.paused' ||
        event.type === 'debate.resumed' ||
        event.type === 'debate.completed'
      )
        told.statusDiffSince = null;
    }
    emit(event);
    // First seen mid-way and not at a turn: nothing to anchor a cursor on.
    const f = live(id);
    if (!f) return;
    f.lastAt = Date.now();
    schedule(id);
  });

  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [id, f] of followed) {
      if (now - f.lastAt > FORGET_AFTER_MS) {
        if (f.timer) clearTimeout(f.timer);
        followed.delete(id);
      } else schedule(id);
    }
  }, opts.sweepMs ?? 10_000);
  sweep.unref();

  return {
    /** The bus's events and the messages caught up from the log, each message once. */
    subscribe(fn: (event: ArenaEvent) => void): () => void {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    /** Checks one debate now (tests; the sweep does it on its own). */
    check,
    close(): void {
      closed = true;
      unsubscribe();
      clearInterval(sweep);
      for (const f of followed.values()) if (f.timer) clearTimeout(f.timer);
      followed.clear();
      due.clear();
    },
  };
}

export type LogFollower = ReturnType<typeof createLogFollower>;
