import type { Kysely } from 'kysely';
import cron, { type ScheduledTask } from 'node-cron';
import { claimJob, finishJob, listJobRuns, renewJob, setNextRun } from '../../db/repositories/job-runs.ts';
import type { Database } from '../../db/schema.ts';
import type { Clock } from '../../engine/clock.ts';
import type { Logger } from '../../engine/log.ts';

/** One scheduled job: a cron expression and the work; its result is kept as the last run's record. */
export interface JobDefinition {
  name: string;
  /** node-cron expression (5 or 6 fields). */
  schedule: string;
  /** Off: not scheduled, still runnable by hand (`arena jobs run`). */
  enabled: boolean;
  /** Why it is off, for people (e.g. `set AUTO_DEBATE_CHANNEL`). */
  disabledReason?: string;
  run(): Promise<Record<string, unknown> | undefined>;
}

export interface JobStatus {
  name: string;
  schedule: string;
  enabled: boolean;
  disabledReason: string | null;
  running: boolean;
  lastStartedAt: string | null;
  lastFinishedAt: string | null;
  lastDurationMs: number | null;
  lastStatus: string | null;
  lastResult: Record<string, unknown> | null;
  lastError: string | null;
  nextRunAt: string | null;
}

export type RunOutcome =
  | { ran: true; ok: true; result: Record<string, unknown> | null; durationMs: number }
  | { ran: true; ok: false; error: string; durationMs: number }
  | { ran: false; reason: 'busy' | 'unknown_job' };

export interface Scheduler {
  /** Runs each job that missed its time while no process was up (once), then schedules them all. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Runs a job now unless any process (this or another on the same database) is running it. */
  run(name: string, trigger: 'schedule' | 'manual' | 'catch-up'): Promise<RunOutcome>;
  status(): Promise<JobStatus[]>;
  names(): string[];
}

export interface SchedulerProps {
  db: Kysely<Database>;
  clock: Clock;
  log: Logger;
  /** This process, unique among processes sharing the database. */
  owner: string;
  jobs: JobDefinition[];
  /** A lease not renewed for this long is free again (a crashed process's job can run again). */
  leaseMs?: number;
}

/**
 * Jobs on node-cron, one run at a time across all processes: a run first takes the job's lease row
 * (`job_runs`), renews it while working, and releases it with the result. A missed run after
 * downtime runs once at start, not once per missed slot.
 */
export function createScheduler(props: SchedulerProps): Scheduler {
  const { db, clock, owner } = props;
  const log = props.log.child('jobs');
  const leaseMs = props.leaseMs ?? 5 * 60_000;
  const byName = new Map(props.jobs.map((j) => [j.name, j]));
  const tasks = new Map<string, ScheduledTask>();
  const local = new Set<string>();
  for (const j of props.jobs) {
    if (!cron.validate(j.schedule)) throw new Error(`job ${j.name}: invalid cron expression "${j.schedule}"`);
  }

  const nextOf = (name: string): Date | null => tasks.get(name)?.getNextRun() ?? null;

  async function run(name: string, trigger: 'schedule' | 'manual' | 'catch-up'): Promise<RunOutcome> {
    const job = byName.get(name);
    if (!job) return { ran: false, reason: 'unknown_job' };
    if (local.has(name)) return { ran: false, reason: 'busy' };
    local.add(name);
    try {
      const startedAt = clock.now();
      if (!(await claimJob(db, name, owner, { now: startedAt, leaseMs }))) {
        log.info(`${name}: already running elsewhere, skipped (${trigger})`);
        return { ran: false, reason: 'busy' };
      }
      const t0 = performance.now();
      const heartbeat = setInterval(
        () => void renewJob(db, name, owner, { now: clock.now(), leaseMs }).catch(() => {}),
        Math.max(1000, leaseMs / 3),
      );
      heartbeat.unref();
      log.info(`${name}: started (${trigger})`);
      try {
        const result = (await job.run()) ?? null;
        const durationMs = performance.now() - t0;
        await finishJob(db, name, owner, {
          now: clock.now(),
          durationMs,
          ok: true,
          result,
          error: null,
          nextRunAt: nextOf(name),
        });
        log.info(`${name}: finished in ${Math.round(durationMs)} ms`, result ?? undefined);
        return { ran: true, ok: true, result, durationMs };
      } catch (error) {
        const durationMs = performance.now() - t0;
        const message = error instanceof Error ? error.message : String(error);
        await finishJob(db, name, owner, {
          now: clock.now(),
          durationMs,
          ok: false,
          result: null,
          error: message.slice(0, 2000),
          nextRunAt: nextOf(name),
        }).catch((e) => log.error(`${name}: could not record the failure`, { error: e }));
        log.error(`${name}: failed: ${message}`);
        return { ran: true, ok: false, error: message, durationMs };
      } finally {
        clearInterval(heartbeat);
      }
    } finally {
      local.delete(name);
    }
  }

  return {
    names: () => [...byName.keys()],
    run,
    async start() {
      // Started again after a failed attempt (the database went away midway): begin afresh.
      for (const task of tasks.values()) await task.destroy();
      tasks.clear();
      const rows = new Map((await listJobRuns(db)).map((r) => [r.name, r]));
      const now = clock.now();
      const missed: string[] = [];
      for (const job of props.jobs) {
        if (!job.enabled) continue;
        const task = cron.createTask(job.schedule, () => void run(job.name, 'schedule'), {
          name: job.name,
          noOverlap: true,
        });
        tasks.set(job.name, task);
        const row = rows.get(job.name);
        if (row?.next_run_at && new Date(row.next_run_at) <= now) missed.push(job.name);
        else if (!row?.next_run_at) await setNextRun(db, job.name, task.getNextRun());
        await task.start();
      }
      // One catch-up per job, whatever the number of slots missed; in the background, in order.
      if (missed.length > 0) {
        void (async () => {
          for (const name of missed) await run(name, 'catch-up').catch(() => {});
        })();
      }
    },
    async stop() {
      for (const task of tasks.values()) await task.destroy();
      tasks.clear();
    },
    async status() {
      const rows = new Map((await listJobRuns(db)).map((r) => [r.name, r]));
      const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);
      return props.jobs.map((j) => {
        const r = rows.get(j.name);
        const next = j.enabled ? (nextOf(j.name) ?? r?.next_run_at ?? null) : null;
        return {
          name: j.name,
          schedule: j.schedule,
          enabled: j.enabled,
          disabledReason: j.enabled ? null : (j.disabledReason ?? null),
          running: !!r?.lease_owner && !!r.lease_expires_at && new Date(r.lease_expires_at) > clock.now(),
          lastStartedAt: iso(r?.last_started_at),
          lastFinishedAt: iso(r?.last_finished_at),
          lastDurationMs: r?.last_duration_ms ?? null,
          lastStatus: r?.status ?? null,
          lastResult: (r?.last_result as Record<string, unknown> | null) ?? null,
          lastError: r?.last_error ?? null,
          nextRunAt: iso(next),
        };
      });
    },
  };
}
