import { claimableDebateIds } from '../../../db/repositories/debate-leases.ts';
import { listDebatesByStatus } from '../../../db/repositories/debates.ts';
import { STATS_SWEEP_MS } from '../../constants.ts';
import { budgetWindowReset, errorBackoffOver, resumeDebate } from '../control.ts';
import { createEngine, type Engine, type EngineDeps, errorText } from '../engine.ts';
import { driveDebate } from './drive.ts';
import type { RunEnd } from './turn.ts';

/** Drives debates in this process; several processes may share one database (leases keep them apart). */
export interface DebateRunner {
  /** Resumes every active debate this process may take, then keeps polling for new and unowned ones. */
  start(): Promise<void>;
  /** Stops polling and abandons the calls in flight without committing them; leases are given back. */
  stop(): Promise<void>;
  /** Starts driving a debate at once, if the runner is started (after a start or resume). */
  notify(debateId: string): void;
  /** Drives one debate until it completes, pauses, or runs elsewhere; works without start(). */
  run(debateId: string): Promise<RunEnd>;
  /** Abandons the call in flight of a debate that was just stopped. */
  cancel(debateId: string): void;
  /** Ids of the debates this runner is driving now. */
  active(): string[];
  /** Debates driven now, waiting for a free slot, and the slots there are. */
  load(): RunnerLoad;
}

/** A runner's capacity and use: the dashboard and /metrics show it. */
export interface RunnerLoad {
  running: number;
  queued: number;
  capacity: number;
}

export function createDebateRunner(deps: EngineDeps): DebateRunner {
  return runnerFor(createEngine(deps));
}

export function runnerFor(engine: Engine): DebateRunner {
  const running = new Map<string, { controller: AbortController; done: Promise<RunEnd> }>();
  // Debates past capacity wait here in arrival order, however they were started (API, chat,
  // poll, CLI): each resolves with its run's end once a slot frees up.
  const queued = new Map<string, { promise: Promise<RunEnd>; resolve: (end: Promise<RunEnd>) => void }>();
  const capacity = engine.settings.maxDebates;
  let started = false;
  let stopping = false;
  let polling: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let lastSweep: number | undefined;

  function drive(debateId: string): Promise<RunEnd> {
    const active = running.get(debateId);
    if (active) return active.done;
    const waiting = queued.get(debateId);
    if (waiting) return waiting.promise;
    if (running.size >= capacity) {
      let resolve!: (end: Promise<RunEnd>) => void;
      const promise = new Promise<Promise<RunEnd>>((r) => {
        resolve = r;
      }).then((end) => end);
      queued.set(debateId, { promise, resolve });
      return promise;
    }
    return launch(debateId);
  }

  function launch(debateId: string): Promise<RunEnd> {
    const controller = new AbortController();
    const done = driveDebate(engine, debateId, controller.signal)
      .catch((error): RunEnd => {
        engine.log.error('debate run failed', { debateId, error: errorText(error) });
        return 'stopped';
      })
      .finally(() => {
        running.delete(debateId);
        next();
      });
    running.set(debateId, { controller, done });
    return done;
  }

  /** Starts the longest-waiting debates while there are free slots. */
  function next() {
    for (const [id, waiting] of queued) {
      if (running.size >= capacity) return;
      queued.delete(id);
      waiting.resolve(stopping ? Promise.resolve('stopped') : launch(id));
    }
  }

  async function poll(): Promise<void> {
    if (!started || stopping) return;
    const now = engine.clock.now();
    if (lastSweep === undefined || now.getTime() - lastSweep >= STATS_SWEEP_MS) {
      lastSweep = now.getTime();
      engine.statsChanged();
    }
    try {
      // Budget pauses lift when their day or month has rolled over.
      for (const row of await listDebatesByStatus(engine.db, 'paused', { pauseReason: 'budget' })) {
        if (!budgetWindowReset(row, now)) continue;
        const resumed = await resumeDebate(engine, row.id, 'budget');
        if (resumed.ok) void drive(row.id);
      }
      // Error pauses (a model server down, a failing step) retry by themselves, backing off.
      for (const row of await listDebatesByStatus(engine.db, 'paused', { pauseReason: 'error' })) {
        if (!errorBackoffOver(row, now)) continue;
        const resumed = await resumeDebate(engine, row.id, 'error');
        if (resumed.ok) {
          await engine.note('info', 'debate resumed after an error pause', { debateId: row.id });
          void drive(row.id);
        }
      }
      const room = capacity - running.size - queued.size;
      if (room <= 0) return;
      const ids = await claimableDebateIds(engine.db, {
        owner: engine.instanceId,
        now,
        limit: room + running.size,
      });
      for (const id of ids) if (!running.has(id) && !queued.has(id)) void drive(id);
    } catch (error) {
      engine.log.warn('debate poll failed', { error: errorText(error) });
    }
  }

  const pollOnce = () => {
    polling ??= poll().finally(() => {
      polling = undefined;
    });
    return polling;
  };

  return {
    async start() {
      if (started) return;
      started = true;
      stopping = false;
      await pollOnce();
      timer = setInterval(() => void pollOnce(), engine.settings.pollMs);
      timer.unref?.();
    },
    async stop() {
      stopping = true;
      started = false;
      if (timer) clearInterval(timer);
      await polling;
      for (const [id, waiting] of queued) {
        queued.delete(id);
        waiting.resolve(Promise.resolve('stopped'));
      }
      for (const { controller } of running.values()) controller.abort();
      await Promise.all([...running.values()].map((r) => r.done));
      await engine.flushStats();
    },
    notify(debateId) {
      if (started && !stopping) void drive(debateId);
    },
    run: drive,
    cancel(debateId) {
      const waiting = queued.get(debateId);
      if (waiting) {
        queued.delete(debateId);
        waiting.resolve(Promise.resolve('stopped'));
      }
      running.get(debateId)?.controller.abort();
    },
    active: () => [...running.keys()],
    load: () => ({ running: running.size, queued: queued.size, capacity }),
  };
}
