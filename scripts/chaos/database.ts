import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { adminExecute, databaseUrl } from '../../db/admin.ts';
import { connectDatabase, type DatabaseHandle, redactUrl } from '../../db/connect.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { startTcpProxy } from '../../test/helpers/tcp-proxy.ts';
import type { Cleanups } from './cleanups.ts';

/** The run's own database: the arena reaches it through a proxy the run can cut; the run does not. */
export interface ChaosDatabase {
  /** The run's connection, around the proxy: it watches while the arena's is cut. */
  handle: DatabaseHandle;
  /** DATABASE_URL for `arena start` (through the proxy). */
  arenaUrl: string;
  /** What a Postgres restart does to open connections: every backend of the arena is terminated. */
  terminateBackends(): Promise<number>;
  /** Every connection of the arena cut (open ones dropped, new ones refused) until `restore`. */
  cut(): void;
  restore(): void;
}

/**
 * Creates a fresh database on the server at `serverUrl`, migrated; `cleanups` drops it at the end
 * (or, with `keep`, says where it is). The machine's Postgres server itself is never restarted.
 */
export async function openChaosDatabase(
  serverUrl: string,
  opts: { keep: boolean; log: (line: string) => void },
  cleanups: Cleanups,
): Promise<ChaosDatabase> {
  const name = `arena_chaos_${randomBytes(5).toString('hex')}`;
  await adminExecute(serverUrl, `create database ${name}`);
  const direct = new URL(databaseUrl(serverUrl, name));
  const where = redactUrl(direct.toString());
  opts.log(`database ${where}`);
  cleanups.add(async () => {
    if (opts.keep) return opts.log(`database kept: ${where}`);
    try {
      await adminExecute(serverUrl, `drop database if exists ${name} with (force)`);
      opts.log(`database ${name} dropped`);
    } catch (error) {
      opts.log(`database left behind: ${where} (${(error as Error).message}); drop it by hand`);
    }
  });
  const proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
  cleanups.add(() => proxy.close());
  const viaProxy = new URL(direct.toString());
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  const handle = await connectDatabase({
    databaseUrl: direct.toString(),
    applicationName: 'arena-chaos',
    maxConnections: 3,
  });
  cleanups.add(() => handle.close());
  const migrated = await migrateToLatest(handle.db);
  if (migrated.error) throw migrated.error;
  return {
    handle,
    arenaUrl: viaProxy.toString(),
    async terminateBackends() {
      const r = await sql<{ n: number }>`
        select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
        where datname = ${name} and application_name in ('arena', 'arena-health')`.execute(handle.db);
      return r.rows[0]?.n ?? 0;
    },
    cut: () => proxy.cut(),
    restore: () => proxy.restore(),
  };
}
