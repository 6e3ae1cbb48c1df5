import { type Kysely, sql } from 'kysely';
import type { Database, JobRunRow } from '../schema.ts';

/**
 * Takes a job's lease when nobody holds it (or the holder's lease ran out). One conditional UPDATE:
 * of two processes asking at once, Postgres lets exactly one match. Returns false when held.
 */
export async function claimJob(
  db: Kysely<Database>,
  name: string,
  owner: string,
  at: { now: Date; leaseMs: number },
): Promise<boolean> {
  await db
    .insertInto('job_runs')
    .values({ name })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db
    .updateTable('job_runs')
    .set({
      lease_owner: owner,
      lease_expires_at: new Date(at.now.getTime() + at.leaseMs),
      status: 'running',
      last_started_at: at.now,
      updated_at: at.now,
    })
    .where('name', '=', name)
    .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_expires_at', '<', at.now)]))
    .returning('name')
    .executeTakeFirst();
  return row !== undefined;
}

/** Extends a held lease while the job still runs; false when it was lost. */
export async function renewJob(
  db: Kysely<Database>,
  name: string,
  owner: string,
  at: { now: Date; leaseMs: number },
): Promise<boolean> {
  const r = await db
    .updateTable('job_runs')
    .set({ lease_expires_at: new Date(at.now.getTime() + at.leaseMs), updated_at: at.now })
    .where('name', '=', name)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Releases the lease and records how the run ended. */
export async function finishJob(
  db: Kysely<Database>,
  name: string,
  owner: string,
  end: {
    now: Date;
    durationMs: number;
    ok: boolean;
    result: Record<string, unknown> | null;
    error: string | null;
    nextRunAt: Date | null;
  },
): Promise<void> {
  await db
    .updateTable('job_runs')
    .set({
      lease_owner: null,
      lease_expires_at: null,
      status: end.ok ? 'ok' : 'error',
      last_finished_at: end.now,
      last_duration_ms: Math.round(end.durationMs),
      last_result: end.result,
      last_error: end.error,
      next_run_at: end.nextRunAt,
      runs: sql`runs + 1`,
      updated_at: end.now,
    })
    .where('name', '=', name)
    .where('lease_owner', '=', owner)
    .execute();
}

/** Records when a job is due next (so a restart after downtime knows it missed a run). */
export async function setNextRun(db: Kysely<Database>, name: string, nextRunAt: Date | null): Promise<void> {
  await db
    .insertInto('job_runs')
    .values({ name, next_run_at: nextRunAt })
    .onConflict((oc) => oc.column('name').doUpdateSet({ next_run_at: nextRunAt }))
    .execute();
}

export function listJobRuns(db: Kysely<Database>): Promise<JobRunRow[]> {
  return db.selectFrom('job_runs').selectAll().orderBy('name').execute();
}

export function getJobRun(db: Kysely<Database>, name: string): Promise<JobRunRow | undefined> {
  return db.selectFrom('job_runs').selectAll().where('name', '=', name).executeTakeFirst();
}
