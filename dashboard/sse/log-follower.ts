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
}

interface Followed {
  /** Last turn known to have reached viewers (or to need no replay). */
  cursor: number;
  /** Turns past the cursor already seen on the bus. */
  seen: Set<number>;
  /** Committed turns not seen on the bus yet, with when a check first found them. */
  unseenSince: Map<number, number>;
  timer: ReturnType<typeof setTimeout> | null;
  lastEventAt: number;
  /** The debate's status as viewers were last told it (null: not known yet, taken from the log). */
  status: DebateStatus | null;
  /** When a check first read a status other than the one viewers were told. */
  statusDiffSince: number | null;
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
  /** Debates followed to their end: the last turn shown and when (a late event is not shown twice). */
  const ended = new Map<string, { cursor: number; at: number }>();
  const listeners = new Set<(event: ArenaEvent) => void>();
  const emit = (event: ArenaEvent) => {
    for (const fn of [...listeners]) fn(event);
  };
  const debounceMs = opts.debounceMs ?? 500;
  const graceMs = opts.graceMs ?? 2_000;
  let closed = false;

  const follow = (debateId: string, cursor: number): Followed => {
    let f = followed.get(debateId);
    if (!f) {
      f = {
        cursor,
        seen: new Set(),
        unseenSince: new Map(),
        timer: null,
        lastEventAt: Date.now(),
        status: null,
        statusDiffSince: null,
      };
      followed.set(debateId, f);
    }
    return f;
  };

  async function check(debateId: string): Promise<void> {
    const f = followed.get(debateId);
    if (!f || closed) return;
    const slice = await readLogAfter(opts.db, debateId, f.cursor, LOG_BATCH);
    const take = takeInOrder(f.cursor, slice);
    const now = Date.now();
    // Only messages whose events stayed away for the grace period are caught up; the cursor stops
    // before the first one still within it, so its event (or the next check) can take it.
    const due: typeof take.entries = [];
    let pendingFrom: number | null = null;
    for (const e of take.entries) {
      if (f.seen.has(e.turnIndex)) continue;
      const since = f.unseenSince.get(e.turnIndex) ?? now;
      f.unseenSince.set(e.turnIndex, since);
      if (now - since >= graceMs) due.push(e);
      else pendingFrom ??= e.turnIndex;
    }
    if (due.length > 0) {
      const detail = await opts.arena.getDebate(debateId);
      for (const m of due) {
        const view = detail?.messages.find((x) => x.id === m.id);
        if (!view || f.seen.has(m.turnIndex)) continue;
        f.seen.add(m.turnIndex);
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
    for (const t of f.seen) if (t <= f.cursor) f.seen.delete(t);
    for (const t of f.unseenSince.keys()) if (t <= f.cursor || f.seen.has(t)) f.unseenSince.delete(t);
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
      followed.delete(debateId);
      ended.set(debateId, { cursor: f.cursor, at: Date.now() });
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

  const scheduleIn = (debateId: string, ms: number) => {
    const f = followed.get(debateId);
    if (!f || f.timer || closed) return;
    f.timer = setTimeout(() => {
      f.timer = null;
      check(debateId).catch((error) =>
        opts.log.debug('log check failed', { error: error instanceof Error ? error.message : String(error) }),
      );
    }, ms);
  };
  const schedule = (debateId: string) => scheduleIn(debateId, debounceMs);

  const unsubscribe = opts.bus.subscribe((event) => {
    if (!('debateId' in event) || event.type === 'message.delta') return emit(event);
    const id = event.debateId;
    if (event.type === 'message.created') {
      const turn = event.message.turnIndex;
      // A late event of a debate already followed to its end: shown from the log before.
      if (!followed.has(id) && turn <= (ended.get(id)?.cursor ?? -1)) return;
      const f = follow(id, turn - 1);
      // Already caught up from the log (the event came late): viewers have it.
      if (turn <= f.cursor || f.seen.has(turn)) return;
      f.seen.add(turn);
    } else if (event.type === 'debate.created') follow(id, -1).status = 'active';
    else if (event.type === 'turn.started') follow(id, event.turnIndex - 1);
    const told = followed.get(id);
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
    const f = followed.get(id);
    if (!f) return;
    f.lastEventAt = Date.now();
    schedule(id);
  });

  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [id, e] of ended) if (now - e.at > FORGET_AFTER_MS) ended.delete(id);
    for (const [id, f] of followed) {
      if (now - f.lastEventAt > FORGET_AFTER_MS) {
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
      ended.clear();
    },
  };
}

export type LogFollower = ReturnType<typeof createLogFollower>;
