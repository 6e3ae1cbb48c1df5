// A separate process that runs one scheduled job through the real scheduler on a shared Postgres.
// argv: <database url> <owner>. Prints the run outcome as JSON.
import { sql } from 'kysely';
import { createScheduler } from '../../app/jobs/scheduler.ts';
import { connectDatabase } from '../../db/connect.ts';
import { systemClock } from '../../engine/clock.ts';
import { silentLogger } from '../../engine/log.ts';

const [url, owner] = process.argv.slice(2) as [string, string];
const handle = await connectDatabase({ databaseUrl: url, maxConnections: 2 });
const scheduler = createScheduler({
  db: handle.db,
  clock: systemClock,
  log: silentLogger,
  owner,
  jobs: [
    {
      name: 'retention',
      schedule: '30 3 * * *',
      enabled: true,
      async run() {
        await sql`insert into job_probe (owner) values (${owner})`.execute(handle.db);
        await new Promise((r) => setTimeout(r, 1500));
        return { owner };
      },
    },
  ],
});
// A barrier in the database: each process says it is ready, and both ask once both are.
await sql`insert into job_ready (owner) values (${owner})`.execute(handle.db);
for (;;) {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from job_ready`.execute(handle.db);
  if (Number(rows[0]?.n) >= 2) break;
  await new Promise((r) => setTimeout(r, 10));
}
const outcome = await scheduler.run('retention', 'schedule');
process.stdout.write(`${JSON.stringify(outcome)}\n`);
await handle.close();
