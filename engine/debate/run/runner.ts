import { claimableDebateIds } from '../../../db/repositories/debate-leases.ts';
import { listDebatesByStatus } from '../../../db/repositories/debates.ts';
import { MAX_DEBATES_PER_RUNNER } from '../../constants.ts';
import { budgetWindowReset, resumeDebate } from '../control.ts';
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
}

export function createDebateRunner(deps: EngineDeps): DebateRunner {
  return runnerFor(createEngine(deps));
}

export function runnerFor(engine: Engine): DebateRunner {
  const running = new Map<string, { controller: AbortController; done: Promise<RunEnd> }>();
  let started = false;
  let stopping = false;
  let polling: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  function drive(debateId: string): Promise<RunEnd> {
    const existing = running.get(debateId);
    if (existing) return existing.done;
    const controller = new AbortController();
    const done = driveDebate(engine, debateId, controller.signal)
      .catch((error): RunEnd => {
        engine.log.error('debate run failed', { debateId, error: errorText(error) });
        return 'stopped';
      })
      .finally(() => running.delete(debateId));
    running.set(debateId, { controller, done });
    return done;
  }

  async function poll(): Promise<void> {
    if (!started || stopping) return;
    const now = engine.clock.now();
    try {
      // Budget pauses lift when their day or month has rolled over.
      for (const row of await listDebatesByStatus(engine.db, 'paused', { pauseReason: 'budget' })) {
        if (!budgetWindowReset(row, now)) continue;
        const resumed = await resumeDebate(engine, row.id);
        if (resumed.ok) void drive(row.id);
      }
      const room = MAX_DEBATES_PER_RUNNER - running.size;
      if (room <= 0) return;
      const ids = await claimableDebateIds(engine.db, {
        owner: engine.instanceId,
        now,
        limit: room + running.size,
      });
      for (const id of ids) if (!running.has(id) && running.size < MAX_DEBATES_PER_RUNNER) void drive(id);
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
      for (const { controller } of running.values()) controller.abort();
      await Promise.all([...running.values()].map((r) => r.done));
      await engine.flushStats();
    },
    notify(debateId) {
      if (started && !stopping) void drive(debateId);
    },
    run: drive,
    cancel(debateId) {
      running.get(debateId)?.controller.abort();
    },
    active: () => [...running.keys()],
  };
}
