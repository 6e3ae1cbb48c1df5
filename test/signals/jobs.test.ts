import { spawn } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScheduler, type JobDefinition } from '../../app/jobs/scheduler.ts';
import { getJobRun, setNextRun } from '../../db/repositories/job-runs.ts';
import { silentLogger } from '../../engine/log.ts';
import { createFixedClock } from '../fakes/fixed-clock.ts';
import { collect, compiled, REPO_ROOT } from '../helpers/cli.ts';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../helpers/db.ts';

const CHILD = compiled('test/signals/job-child.ts');

describe.skipIf(!TEST_DATABASE_URL)('jobs across processes (postgres)', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('postgres');
    await sql`create table job_ready (owner text not null)`.execute(t.db);
    await sql`create table job_probe (owner text not null, at timestamptz not null default now())`.execute(
      t.db,
    );
  }, 60_000);
  afterAll(() => t?.dispose());

  it('two processes start the same job at once: it runs once', async () => {
    const children = ['proc-a', 'proc-b'].map((owner) =>
      collect(
        spawn(process.execPath, [CHILD, t.url!, owner], {
          cwd: REPO_ROOT,
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      ),
    );
    const results = await Promise.all(children);
    for (const r of results) expect(r.stderr).toBe('');
    const outcomes = results.map((r) => JSON.parse(r.stdout.trim()));
    expect(outcomes.filter((o) => o.ran)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.ran)).toEqual([{ ran: false, reason: 'busy' }]);
    const probes = await sql<{ owner: string }>`select owner from job_probe`.execute(t.db);
    expect(probes.rows).toHaveLength(1);
    const row = await getJobRun(t.db, 'retention');
    expect(row).toMatchObject({ runs: 1, status: 'ok', lease_owner: null, last_error: null });
    expect(row?.last_result).toEqual({ owner: probes.rows[0]!.owner });
  }, 60_000);
});

describe('scheduler (pglite)', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('pglite');
  }, 120_000);
  afterAll(() => t.dispose());

  it('a missed run after downtime runs once; failures are recorded; an expired lease is taken over', async () => {
    const clock = createFixedClock('2026-11-25T12:00:00.000Z');
    let runs = 0;
    const job: JobDefinition = {
      name: 'signals.fetch',
      schedule: '*/30 * * * *',
      enabled: true,
      async run() {
        runs++;
        return { runs };
      },
    };
    const failing: JobDefinition = {
      name: 'trends.analyze',
      schedule: '5 * * * *',
      enabled: false,
      async run() {
        throw new Error('boom');
      },
    };
    // The last process stopped long ago: its next run was due days before now, many slots missed.
    await setNextRun(t.db, 'signals.fetch', new Date('2026-11-20T12:00:00.000Z'));
    const s = createScheduler({ db: t.db, clock, log: silentLogger, owner: 'p1', jobs: [job, failing] });
    await s.start();
    await expect.poll(() => runs, { timeout: 10_000 }).toBe(1);
    await expect.poll(async () => (await getJobRun(t.db, 'signals.fetch'))?.status).toBe('ok');
    const row = await getJobRun(t.db, 'signals.fetch');
    // The next run is the next real slot, from node-cron.
    expect(row?.next_run_at).not.toBeNull();
    expect(new Date(row!.next_run_at!).getTime()).toBeGreaterThan(Date.now() - 1000);
    await s.stop();
    expect(runs).toBe(1);

    const failed = await s.run('trends.analyze', 'manual');
    expect(failed).toMatchObject({ ran: true, ok: false, error: 'boom' });
    const status = await s.status();
    expect(status.find((j) => j.name === 'trends.analyze')).toMatchObject({
      enabled: false,
      lastStatus: 'error',
      lastError: 'boom',
      nextRunAt: null,
    });
    expect(await s.run('nope', 'manual')).toEqual({ ran: false, reason: 'unknown_job' });

    // A process that died holding the lease: after it expires, another process may run the job.
    await t.db
      .updateTable('job_runs')
      .set({ lease_owner: 'dead', lease_expires_at: new Date('2026-11-25T12:01:00.000Z') })
      .where('name', '=', 'signals.fetch')
      .execute();
    const other = createScheduler({ db: t.db, clock, log: silentLogger, owner: 'p2', jobs: [job] });
    expect(await other.run('signals.fetch', 'manual')).toEqual({ ran: false, reason: 'busy' });
    clock.advance(2 * 60_000);
    expect(await other.run('signals.fetch', 'manual')).toMatchObject({ ran: true, ok: true });
    expect(runs).toBe(2);
  }, 60_000);
});
