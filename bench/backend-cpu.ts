import { readFile } from 'node:fs/promises';

// Postgres does its share of a turn in its backend processes, outside this process's cpuUsage.
// On a server on this machine their CPU is in /proc/<pid>/stat (utime + stime, in clock ticks).
const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU milliseconds used so far by each backend connected to `database`, by pid. */
export async function backendCpu(adminUrl: string, database: string): Promise<Map<number, number>> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: adminUrl });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [database],
    );
    const out = new Map<number, number>();
    for (const { pid } of rows) {
      const ms = await cpuOfPid(pid);
      if (ms !== null) out.set(pid, ms);
    }
    return out;
  } finally {
    await client.end().catch(() => {});
  }
}

/** CPU ms the backends used between two readings (a backend new since the first counts in full). */
export function backendCpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

async function cpuOfPid(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3; utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return null; // the server is elsewhere, or the backend exited
  }
}
