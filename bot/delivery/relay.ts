import type { Kysely } from 'kysely';
import type { ThreadBinding } from '../../db/repositories/chat.ts';
import { nextPendingOutbox } from '../../db/repositories/chat-outbox.ts';
import type { Database } from '../../db/schema.ts';
import type { Clock } from '../../engine/clock.ts';
import type { Logger } from '../../engine/log.ts';
import {
  DELIVERY_LEASE_MS,
  IDLE_POLL_MS,
  LOOP_RETRY_MAX_MS,
  RETRY_BASE_MS,
  RETRY_MAX_MS,
  STREAM_EDIT_INTERVAL_MS,
} from '../constants.ts';
import { type ChatPlatform, DeliveryError, type Identity, type ThreadRef } from '../platform.ts';
import { PreviewGate } from './preview-gate.ts';
import type { Projection } from './projector.ts';
import { StreamPreviews } from './stream-previews.ts';
import { cleanUpTakenThread, deleteAbandoned } from './thread-cleanup.ts';
import { createThreadLeases, type ThreadLease } from './thread-lease.ts';
import { deliverRow, type Lane, updatePreview } from './thread-steps.ts';

// Enough to cover every post a person can still see and reply to before its row is committed.
const REMEMBERED_POSTS = 200;

export interface RelayDeps {
  db: Kysely<Database>;
  platform: ChatPlatform;
  clock: Clock;
  log: Logger;
  /** Fills the thread's outbox from the committed log (see projector.ts). */
  project(binding: ThreadBinding): Promise<Projection>;
  /** This process's name on the threads it delivers (`chat_threads.delivery_owner`). */
  owner: string;
  /** How long a thread stays ours without renewal; another process takes it over after that. */
  leaseMs?: number;
}

/** Delivers outbox rows to the platform, one worker per thread, in queue order. */
export interface Relay {
  /**
   * Makes sure a worker delivers this thread's rows (reconciling first after a start), unless
   * another process holds it; `claimed` says this process has just taken its lease.
   */
  attach(binding: ThreadBinding, claimed?: boolean): void;
  /** The log or the outbox of this binding may have grown: project and deliver. */
  wake(bindingId: string): void;
  /** The debate is over: the worker stops once its queue is empty. */
  finish(bindingId: string): void;
  /** A turn is being written; `identity` null means the committed post will be the bot's own. */
  streamStart(
    bindingId: string,
    turnIndex: number,
    identity: Identity | null,
    personaId: string,
    prefix: string,
  ): void;
  /** The persona behind a post made lately in this thread, even one not committed yet. */
  personaOfPost(bindingId: string, postId: string): string | null;
  /** Resolves once the platform call in flight for this thread (if any) has returned. */
  settled(bindingId: string): Promise<void>;
  streamDelta(bindingId: string, turnIndex: number, delta: string): void;
  /** Stops at once: work in flight is not committed, so the next start reconciles it. */
  stop(): void;
  /** Resolves when no worker is running (all finished or stopped). */
  idle(): Promise<void>;
}

interface Worker {
  binding: ThreadBinding;
  thread: ThreadRef;
  previews: StreamPreviews;
  /** Recent persona posts (post id → persona id), so replies resolve before the commit lands. */
  postedBy: Map<string, string>;
  /** Outbox row id → posts made for it that the database has not recorded yet. */
  unrecorded: Map<string, string[]>;
  /** The delivery or preview step running now. */
  step: Promise<unknown> | null;
  finishing: boolean;
  /** The loop has returned; a new attach needs a new worker. */
  exited: boolean;
  /** Something happened since the worker last looked. */
  dirty: boolean;
  /** Rows may be pending: skip the outbox query on wake-ups that only concern the preview. */
  rowsMaybe: boolean;
  /** The committed log may be ahead of the outbox: project before delivering. */
  logMaybe: boolean;
  previewTimer: ReturnType<typeof setTimeout> | null;
  wakeUp: (() => void) | null;
  done: Promise<void>;
  lease: ThreadLease;
  gate: PreviewGate;
}

export function createRelay(deps: RelayDeps): Relay {
  const { db, platform, clock } = deps;
  const log = deps.log.child('relay');
  const workers = new Map<string, Worker>();
  const leases = createThreadLeases({
    db,
    owner: deps.owner,
    leaseMs: deps.leaseMs ?? DELIVERY_LEASE_MS,
    log,
  });
  let stopped = false;
  const steps = { db, platform, clock, log, stopped: () => stopped };
  const lane = (w: Worker): Lane => ({
    bindingId: w.binding.id,
    thread: w.thread,
    previews: w.previews,
    remember: (postId, personaId) => remember(w, postId, personaId),
    unrecorded: w.unrecorded,
  });

  const wake = (w: Worker, rows: boolean) => {
    w.dirty = true;
    if (rows) {
      w.rowsMaybe = true;
      w.logMaybe = true;
    }
    w.wakeUp?.();
  };

  /** Waits for a wake-up or the timeout; a timeout means rows may have come from elsewhere. */
  const sleep = (w: Worker, ms: number) =>
    new Promise<void>((resolve) => {
      if (w.dirty || stopped) return resolve();
      const timer = setTimeout(
        () => {
          w.rowsMaybe = true;
          w.logMaybe = true;
          done();
        },
        Math.max(0, ms),
      );
      function done() {
        clearTimeout(timer);
        w.wakeUp = null;
        resolve();
      }
      w.wakeUp = done;
    });

  async function track<T>(w: Worker, step: Promise<T>): Promise<T> {
    w.step = step;
    try {
      return await step;
    } finally {
      w.step = null;
    }
  }

  function remember(w: Worker, postId: string, personaId: string): void {
    w.postedBy.set(postId, personaId);
    if (w.postedBy.size > REMEMBERED_POSTS) w.postedBy.delete(w.postedBy.keys().next().value!);
  }

  async function reconcile(w: Worker): Promise<void> {
    for (let attempt = 1; !stopped; attempt++) {
      try {
        if (!(await w.lease.held())) return;
        await cleanUpTakenThread(steps, lane(w), w.binding);
        return;
      } catch (error) {
        // The thread is gone: nothing to reconcile; its rows will fail for good one by one.
        if (error instanceof DeliveryError && error.code === 'gone') return;
        log.warn('reconcile failed, retrying', {
          error: error instanceof Error ? error.message : String(error),
        });
        await sleep(w, Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** attempt));
        w.dirty = false;
      }
    }
  }

  async function run(w: Worker): Promise<void> {
    for (let attempt = 1; !stopped; attempt++) {
      try {
        if (!(await w.lease.hold())) return;
        break;
      } catch (error) {
        log.warn('could not take a thread for delivery, retrying', {
          error: error instanceof Error ? error.message : String(error),
        });
        await sleep(w, Math.min(LOOP_RETRY_MAX_MS, RETRY_BASE_MS * 2 ** attempt));
        w.dirty = false;
      }
    }
    w.lease.keepRenewed(() => w.wakeUp?.());
    await reconcile(w);
    let failures = 0;
    while (!stopped) {
      w.dirty = false;
      try {
        if (!(await w.lease.held())) return;
        // Read the flags before querying: a row queued meanwhile sets them again, so it is never missed.
        const finishing = w.finishing;
        const checkRows = w.rowsMaybe || finishing;
        w.rowsMaybe = false;
        await deleteAbandoned(steps, lane(w));
        const row = checkRows ? await nextPendingOutbox(db, w.binding.id) : null;
        if (stopped) return;
        if (row) {
          w.rowsMaybe = true;
          const wait = row.nextAttemptAt.getTime() - clock.now().getTime();
          if (wait > 0) await sleep(w, wait);
          else await track(w, deliverRow(steps, lane(w), row));
          failures = 0;
          continue;
        }
        // Queued rows first, then the log: one projection catches up a whole backlog at once.
        if (w.logMaybe) {
          w.logMaybe = false;
          const projected = await deps.project(w.binding);
          w.gate.projected(projected);
          if (projected.added) w.rowsMaybe = true;
          // The debate said all it will: stop once everything queued is delivered.
          if (projected.finished) w.finishing = true;
          if (projected.added || projected.finished !== finishing) continue;
        }
        if (finishing) {
          w.previews.abandonAll();
          await deleteAbandoned(steps, lane(w));
          if (!w.dirty) {
            w.exited = true;
            await w.lease.release().catch(() => {});
            return;
          }
          continue;
        }
        // See preview-gate.ts: a new preview never overtakes a committed turn.
        const gate = w.gate.decide(w.previews.live());
        if (gate === 'project') {
          w.logMaybe = true;
          continue;
        }
        if (gate === 'wait') {
          await sleep(w, IDLE_POLL_MS);
          continue;
        }
        const wait = await track(w, updatePreview(steps, lane(w)));
        await sleep(w, wait ?? IDLE_POLL_MS);
        failures = 0;
      } catch (error) {
        // The database is unreachable or similar: back off and try again, nothing is lost.
        w.rowsMaybe = true;
        w.logMaybe = true;
        failures++;
        log.error('delivery loop error', { error: error instanceof Error ? error.message : String(error) });
        await sleep(w, Math.min(LOOP_RETRY_MAX_MS, RETRY_BASE_MS * 2 ** failures));
      }
    }
  }

  return {
    attach(binding, claimed = false) {
      if (stopped) return;
      if (claimed) leases.claimed(binding.id);
      const existing = workers.get(binding.id);
      if (existing && !existing.exited && !existing.lease.lost) {
        existing.finishing = false;
        wake(existing, true);
        return;
      }
      // Another process delivers it: the periodic sweep takes it over if that process dies.
      if (leases.heldElsewhere(binding.id)) return;
      const w: Worker = {
        binding,
        thread: {
          workspaceId: binding.workspaceId,
          channelId: binding.channelId,
          threadId: binding.threadId,
        },
        previews: new StreamPreviews(),
        postedBy: new Map(),
        unrecorded: new Map(),
        step: null,
        finishing: false,
        exited: false,
        dirty: true,
        rowsMaybe: true,
        logMaybe: true,
        previewTimer: null,
        wakeUp: null,
        done: Promise.resolve(),
        lease: leases.of(binding.id, binding.threadId),
        gate: new PreviewGate(),
      };
      workers.set(binding.id, w);
      w.done = run(w)
        .catch((error) => {
          w.exited = true;
          log.error('thread delivery stopped', { thread: binding.threadId, error: String(error) });
        })
        .finally(() => {
          if (w.previewTimer) clearTimeout(w.previewTimer);
          w.lease.end();
          if (workers.get(binding.id) === w) workers.delete(binding.id);
        });
    },
    wake(bindingId) {
      const w = workers.get(bindingId);
      if (w) wake(w, true);
    },
    finish(bindingId) {
      const w = workers.get(bindingId);
      if (!w) return;
      w.finishing = true;
      wake(w, true);
    },
    streamStart(bindingId, turnIndex, identity, personaId, prefix) {
      const w = workers.get(bindingId);
      if (!w) return;
      w.previews.start(turnIndex, identity, personaId, prefix);
    },
    async settled(bindingId) {
      await workers.get(bindingId)?.step?.catch(() => {});
    },
    personaOfPost(bindingId, postId) {
      return workers.get(bindingId)?.postedBy.get(postId) ?? null;
    },
    streamDelta(bindingId, turnIndex, delta) {
      const w = workers.get(bindingId);
      if (!w?.previews.delta(turnIndex, delta) || w.previewTimer) return;
      // One wake-up per edit interval, however many tokens arrive meanwhile.
      const p = w.previews.live();
      const due = p?.postId
        ? p.lastPostAt +
          (platform.pacing?.streamEditIntervalMs ?? STREAM_EDIT_INTERVAL_MS) -
          clock.now().getTime()
        : 0;
      w.previewTimer = setTimeout(
        () => {
          w.previewTimer = null;
          wake(w, false);
        },
        Math.max(0, due),
      );
    },
    stop() {
      stopped = true;
      for (const w of workers.values()) {
        if (w.previewTimer) clearTimeout(w.previewTimer);
        w.lease.end();
        w.wakeUp?.();
      }
    },
    async idle() {
      while (workers.size > 0) await Promise.all([...workers.values()].map((w) => w.done));
    },
  };
}
