import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { Kysely, PostgresDialect } from 'kysely';
import type { Pool, PoolConfig } from 'pg';
import { lockDataDir } from './data-dir-lock.ts';
import { type DatabaseHealth, startHealthProbe } from './health-probe.ts';
import { preparingClient, statementNames } from './prepared.ts';
import type { Database } from './schema.ts';
import { type WriteWatch, watchDialect } from './write-watch.ts';

export type DialectName = 'postgres' | 'pglite';
export type { DatabaseHealth } from './health-probe.ts';

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: DialectName;
  /** Where the data lives, for people: a redacted URL or a folder. */
  location: string;
  /** PGlite only: the whole database as a tarball, for `pgliteSnapshot` (test fixtures). */
  dumpDataDir?: () => Promise<Blob>;
  /** The latest probe of the database, answered without a query (never queued behind the pool). */
  health(): DatabaseHealth;
  /** Tells listeners which tables each write changed once it is committed (the Redis cache's invalidation). */
  writes: WriteWatch;
  /**
   * Postgres: one connection of its own for debate lease renewals, so they never wait behind the
   * pool's queue (a starved pool let leases lapse). PGlite has one connection: absent there.
   */
  leaseDb?: Kysely<Database>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** A postgres:// URL; when absent, embedded PGlite is used. */
  databaseUrl?: string | undefined;
  /** PGlite data folder, or `memory://` for a throwaway database. */
  pgliteDataDir?: string;
  /**
   * PGlite: create a new data folder (initdb) in a child process, so the ~500 MB initdb leaves behind
   * goes back to the system; costs a few seconds once. For servers, not one-off commands.
   */
  initdbInChild?: boolean;
  /** PGlite in memory only: start from this `dumpDataDir()` tarball instead of an empty database. */
  pgliteSnapshot?: Blob;
  maxConnections?: number;
  /** Postgres `application_name` of the pool's connections (default `arena`), seen in pg_stat_activity. */
  applicationName?: string;
  /** Postgres: how often the health probe runs on its own connection (default 2 s). */
  probeIntervalMs?: number;
  /** Postgres: how long a query may wait for a free pool connection (default 60 s). */
  poolWaitMs?: number;
  /** Postgres: how long opening one connection may take before it fails (default 15 s). */
  connectTimeoutMs?: number;
  /** Told when the pool loses a connection (the server restarted or went away); never throws. */
  onPoolError?: (error: Error) => void;
}

// Both drivers return the same JS types: int8 as number (counts and token sums stay far below
// 2^53), numeric as string (money is exact until a repository maps it), date as 'YYYY-MM-DD'.
/**
 * Opening one Postgres connection (TCP, a backend forked, SCRAM): milliseconds on a quiet machine,
 * but 5 s failed test set-ups at load 30+. Still far below POOL_WAIT_MS, so a server that accepts
 * TCP and never answers fails a connect well before a queued query gives up.
 */
const CONNECT_TIMEOUT_MS = 15_000;
/** Waiting for a free pool connection: a minute covers bursts and short outages, not a hang. */
const POOL_WAIT_MS = 60_000;

const OID = { int8: 20, date: 1082, numeric: 1700 } as const;
const asText = (v: string) => v;

export async function connectDatabase(options: ConnectOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) return connectPostgres(options.databaseUrl, options);
  return connectPglite(options.pgliteDataDir ?? 'memory://', options);
}

/** Postgres config shared by the pool and the health probe's connection. */
export async function postgresConfig(
  url: string,
  applicationName = 'arena',
  connectTimeoutMs = CONNECT_TIMEOUT_MS,
): Promise<PoolConfig> {
  const { default: pg } = await import('pg');
  const parsers: Record<number, (v: string) => unknown> = {
    [OID.int8]: Number,
    [OID.date]: asText,
    [OID.numeric]: asText,
  };
  return {
    connectionString: url,
    application_name: applicationName,
    // A server that accepts TCP but never answers (a cut network) fails the connect instead of
    // hanging every caller.
    connectionTimeoutMillis: connectTimeoutMs,
    keepAlive: true,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        parsers[oid] ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  };
}

async function connectPostgres(url: string, options: ConnectOptions): Promise<DatabaseHandle> {
  const { default: pg } = await import('pg');
  const connectTimeoutMs = options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
  const config = await postgresConfig(url, options.applicationName, connectTimeoutMs);
  const onPoolError = options.onPoolError ?? (() => {});
  // pg-pool applies its connectionTimeoutMillis to waiting for a free connection too, not only to
  // opening one: with 5 s, a burst of debates (hundreds starting at once on 10 connections) failed
  // with "timeout exceeded when trying to connect" while the server was fine. The pool waits up to
  // POOL_WAIT_MS for a connection; each new connection still has connectTimeoutMs to open.
  const connectBounded = class extends preparingClient(pg.Client, statementNames()) {
    constructor(clientConfig?: ConstructorParameters<typeof pg.Client>[0]) {
      super({
        ...(typeof clientConfig === 'object' ? clientConfig : {}),
        connectionTimeoutMillis: connectTimeoutMs,
      });
    }
  };
  const pool: Pool = new pg.Pool({
    ...config,
    Client: connectBounded,
    connectionTimeoutMillis: options.poolWaitMs ?? POOL_WAIT_MS,
    max: options.maxConnections ?? 10,
  });
  // An idle connection that dies is reported here; without a listener the process would exit.
  pool.on('error', (error) => onPoolError(error));
  // A connection that dies while checked out (a query in flight, a transaction open) emits
  // 'error' on the client itself, which the pool does not listen to then: the query fails on its
  // own, the pool drops the broken client on release, and this listener keeps the process alive.
  pool.on('connect', (client) => client.on('error', (error) => onPoolError(error)));
  // Fail fast on a broken server instead of surprising anyone later.
  const first = await pool.connect().catch(async (error) => {
    await pool.end().catch(() => {});
    throw error;
  });
  first.release();
  const probe = startHealthProbe({ config, intervalMs: options.probeIntervalMs ?? 2_000 });
  const { dialect, watch } = watchDialect(new PostgresDialect({ pool }));
  const db = new Kysely<Database>({ dialect });
  // Opened at its first renewal; a lease renewal changes no row a cache or a reader follows.
  const leasePool: Pool = new pg.Pool({ ...config, Client: connectBounded, max: 1 });
  leasePool.on('error', (error) => onPoolError(error));
  leasePool.on('connect', (client) => client.on('error', (error) => onPoolError(error)));
  const leaseDb = new Kysely<Database>({ dialect: new PostgresDialect({ pool: leasePool }) });
  return {
    db,
    dialect: 'postgres',
    writes: watch,
    leaseDb,
    location: redactUrl(url),
    health: probe.health,
    async close() {
      await probe.stop();
      await leaseDb.destroy();
      await db.destroy();
    },
  };
}

async function connectPglite(
  dataDir: string,
  { pgliteSnapshot: snapshot, initdbInChild }: ConnectOptions,
): Promise<DatabaseHandle> {
  useBaselineWasmCompiler();
  const [{ PGlite }, { PGliteDialect }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('./pglite-dialect.ts'),
  ]);
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory) await mkdir(dataDir, { recursive: true });
  const unlock = inMemory ? () => {} : lockDataDir(dataDir);
  const startParams = [...PGlite.defaultStartParams, ...PGLITE_SETTINGS];
  let pglite: InstanceType<typeof PGlite>;
  try {
    if (initdbInChild && !inMemory && !existsSync(path.join(dataDir, 'PG_VERSION')))
      await initDataDir(dataDir, startParams);
    pglite = new PGlite(inMemory ? 'memory://' : path.resolve(dataDir), {
      startParams,
      ...(inMemory && snapshot ? { loadDataDir: snapshot } : {}),
      parsers: { [OID.int8]: Number, [OID.date]: asText, [OID.numeric]: asText },
    });
    await pglite.waitReady;
  } catch (error) {
    unlock();
    throw error;
  }
  const { dialect, watch } = watchDialect(new PGliteDialect(pglite));
  const db = new Kysely<Database>({ dialect });
  const since = new Date();
  return {
    db,
    dialect: 'pglite',
    writes: watch,
    location: inMemory ? 'memory' : path.resolve(dataDir),
    dumpDataDir: () => pglite.dumpDataDir('none'),
    // Embedded: the database lives and dies with this process.
    health: () =>
      pglite.closed
        ? { ok: false, checkedAt: new Date(), latencyMs: null, error: 'database closed', since }
        : { ok: true, checkedAt: new Date(), latencyMs: 0, error: null, since },
    async close() {
      try {
        await db.destroy();
        // Kysely skips the driver's destroy when no query ever ran.
        if (!pglite.closed) await pglite.close();
      } finally {
        unlock();
      }
    },
  };
}

// PGlite's defaults suit a browser tab: 128 MB of shared_buffers alone was most of an idle arena's
// memory. The arena's data is small and reached through one serialised connection. PGlite's shared
// memory is zero-filled when it is made, so every MB of shared_buffers is a resident MB from the
// start (measured: 16 MB → 29 MB of touched WebAssembly memory, 8 MB → 21 MB); pages past the buffer
// cache are read from the operating system's file cache.
const PGLITE_SETTINGS = [
  ...['-c', 'shared_buffers=8MB', '-c', 'wal_buffers=1MB', '-c', 'temp_buffers=1MB'],
  ...['-c', 'work_mem=4MB', '-c', 'maintenance_work_mem=16MB'],
];

/**
 * PGlite's WebAssembly (9 MB of Postgres) runs on V8's baseline compiler only. By default V8 also
 * recompiles hot functions with its optimising compiler on background threads, and the memory those
 * compilations take stays with the process (glibc keeps each thread's malloc arena): measured on an
 * idle PGlite, 165-179 MB RSS with tier-up against 115-121 MB without, and after a few thousand
 * queries 230-243 MB against 165-171 MB. The price is CPU: the same 18,000 statements took ~9% more
 * (20.1 s against 18.5 s; docs/benchmarks.md). Only wasm compiled afterwards is affected, and the
 * arena's only wasm is PGlite. Postgres (`DATABASE_URL`) never loads it.
 */
function useBaselineWasmCompiler(): void {
  setFlagsFromString('--liftoff-only');
}

/** initdb in a child process: its memory is returned to the system when the child exits. */
async function initDataDir(dataDir: string, startParams: string[]): Promise<void> {
  const script = fileURLToPath(new URL('./pglite-initdb.mjs', import.meta.url));
  await promisify(execFile)(process.execPath, [script, path.resolve(dataDir), JSON.stringify(startParams)], {
    maxBuffer: 16 * 1024 * 1024,
  }).catch((error: Error & { stderr?: string }) => {
    throw new Error(`could not create the PGlite database in ${dataDir}: ${error.stderr || error.message}`);
  });
}

/** A database URL with its password replaced, safe to print. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable url>';
  }
}
