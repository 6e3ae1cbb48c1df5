import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { adminExecute, databaseUrl } from '../db/admin.ts';
import { connectDatabase, type DatabaseHealth, type DialectName } from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';
import type { Database } from '../db/schema.ts';
import { backendCpu } from './backend-cpu.ts';

export interface BenchDatabase {
  db: Kysely<Database>;
  /** Lease renewals' own connection (Postgres), as `arena start` gives the engine. */
  leaseDb?: Kysely<Database> | undefined;
  dialect: DialectName;
  /** The handle's health probe (its own connection on Postgres), as `arena start` has it. */
  health(): DatabaseHealth;
  /** The created database's URL (Postgres only): what a connection of its own, like the health probe's, opens. */
  url?: string;
  /** WAL position now, in bytes: the difference of two readings is what the database wrote to its log. */
  walPosition(): Promise<number>;
  /** CPU ms so far of each backend serving this database, by pid (Postgres only). */
  backendCpu?: () => Promise<Map<number, number>>;
  /** Closes the connection and drops the database created for the run. */
  dispose(): Promise<void>;
}

export interface BenchDatabaseOptions {
  dialect: DialectName;
  /** A postgres:// URL of a server where the benchmark may create (and later drop) a database. */
  postgresUrl?: string | undefined;
  maxConnections?: number;
}

/** A fresh, migrated database for one benchmark run: in-memory PGlite, or a new database on a server. */
export async function openBenchDatabase(opts: BenchDatabaseOptions): Promise<BenchDatabase> {
  let dropName: string | undefined;
  let url: string | undefined;
  if (opts.dialect === 'postgres') {
    if (!opts.postgresUrl)
      throw new Error('--db postgres needs BENCH_DATABASE_URL (a server where a database may be created)');
    dropName = `arena_bench_${randomBytes(5).toString('hex')}`;
    await adminExecute(opts.postgresUrl, `create database ${dropName}`);
    url = databaseUrl(opts.postgresUrl, dropName);
  }
  const handle = await connectDatabase(
    url
      ? { databaseUrl: url, ...(opts.maxConnections ? { maxConnections: opts.maxConnections } : {}) }
      : { pgliteDataDir: 'memory://' },
  );
  const report = await migrateToLatest(handle.db);
  if (report.error) throw report.error;
  return {
    db: handle.db,
    leaseDb: handle.leaseDb,
    dialect: handle.dialect,
    health: handle.health,
    ...(url ? { url } : {}),
    async walPosition() {
      const row = await sql<{
        bytes: string | number;
      }>`select pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0') as bytes`.execute(handle.db);
      return Number(row.rows[0]?.bytes ?? 0);
    },
    ...(dropName && opts.postgresUrl ? { backendCpu: () => backendCpu(opts.postgresUrl!, dropName!) } : {}),
    async dispose() {
      await handle.close();
      if (dropName && opts.postgresUrl) {
        await adminExecute(opts.postgresUrl, `drop database if exists ${dropName} with (force)`);
      }
    },
  };
}
