import type { Kysely } from 'kysely';
import { readLogAfter, takeInOrder } from '../../db/repositories/debate-log.ts';
import type { Database } from '../../db/schema.ts';
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
}

interface Followed {
  /** Last turn known to have reached viewers (or to need no replay). */
  cursor: number;
  /** Turns past the cursor already seen on the bus. */
  seen: Set<number>;
  timer: ReturnType<typeof setTimeout> | null;
  lastEventAt: number;
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
  let closed = false;

  const follow = (debateId: string, cursor: number): Followed => {
    let f = followed.get(debateId);
    if (!f) {
      f = { cursor, seen: new Set(), timer: null, lastEventAt: Date.now() };
      followed.set(debateId, f);
    }
    return f;
  };

  async function check(debateId: string): Promise<void> {
    const f = followed.get(debateId);
    if (!f || closed) return;
    const slice = await readLogAfter(opts.db, debateId, f.cursor, LOG_BATCH);
    const take = takeInOrder(f.cursor, slice);
    const missing = take.entries.filter((e) => !f.seen.has(e.turnIndex));
    if (missing.length > 0) {
      const detail = await opts.arena.getDebate(debateId);
      for (const m of missing) {
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
      opts.log.info('dashboard caught up from the log', { debateId, missed: missing.length });
    }
    f.cursor = take.cursor;
    for (const t of f.seen) if (t <= f.cursor) f.seen.delete(t);
    if (
      slice.debate === null ||
      (!take.waiting && slice.debate.status !== 'active' && slice.debate.status !== 'paused')
    ) {
      // Everything it will ever say has been seen.
      if (f.timer) clearTimeout(f.timer);
      followed.delete(debateId);
    }
  }

  const schedule = (debateId: string) => {
    const f = followed.get(debateId);
    if (!f || f.timer || closed) return;
    f.timer = setTimeout(() => {
      f.timer = null;
      check(debateId).catch((error) =>
        opts.log.debug('log check failed', { error: error instanceof Error ? error.message : String(error) }),
      );
    }, debounceMs);
  };

  const unsubscribe = opts.bus.subscribe((event) => {
    if (!('debateId' in event) || event.type === 'message.delta') return emit(event);
    const id = event.debateId;
    if (event.type === 'message.created') {
      const turn = event.message.turnIndex;
      const f = follow(id, turn - 1);
      // Already caught up from the log (the event came late): viewers have it.
      if (turn <= f.cursor || f.seen.has(turn)) return;
      f.seen.add(turn);
    } else if (event.type === 'debate.created') follow(id, -1);
    else if (event.type === 'turn.started') follow(id, event.turnIndex - 1);
    emit(event);
    // First seen mid-way and not at a turn: nothing to anchor a cursor on.
    const f = followed.get(id);
    if (!f) return;
    f.lastEventAt = Date.now();
    schedule(id);
  });

  const sweep = setInterval(() => {
    const now = Date.now();
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
    },
  };
}

export type LogFollower = ReturnType<typeof createLogFollower>;
