import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { PostgresJSDialect } from 'kysely-postgres-js';
import postgres from 'postgres';
import { lockDataDir } from './data-dir-lock.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import type { Database } from './schema.ts';

export type DialectName = 'postgres' | 'pglite';

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: DialectName;
  /** Where the data lives, for people: a redacted URL or a folder. */
  location: string;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** A postgres:// URL; when absent, embedded PGlite is used. */
  databaseUrl?: string | undefined;
  /** PGlite data folder, or `memory://` for a throwaway database. */
  pgliteDataDir?: string;
  maxConnections?: number;
}

// Both drivers return the same JS types: int8 as number (counts and token sums stay far below
// 2^53), numeric as string (money is exact until a repository maps it), date as 'YYYY-MM-DD'.
const OID = { int8: 20, date: 1082, numeric: 1700 } as const;

export async function connectDatabase(options: ConnectOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) return connectPostgres(options.databaseUrl, options);
  return connectPglite(options.pgliteDataDir ?? 'memory://');
}

async function connectPostgres(url: string, options: ConnectOptions): Promise<DatabaseHandle> {
  const sqlClient = postgres(url, {
    max: options.maxConnections ?? 10,
    onnotice: () => {},
    types: {
      int8: {
        to: OID.int8,
        from: [OID.int8],
        serialize: (v: number) => String(v),
        parse: (v: string) => Number(v),
      },
      date: { to: OID.date, from: [OID.date], serialize: (v: string) => v, parse: (v: string) => v },
    },
  });
  const db = new Kysely<Database>({ dialect: new PostgresJSDialect({ postgres: sqlClient }) });
  return {
    db,
    dialect: 'postgres',
    location: redactUrl(url),
    close: () => db.destroy(),
  };
}

async function connectPglite(dataDir: string): Promise<DatabaseHandle> {
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory) await mkdir(dataDir, { recursive: true });
  const unlock = inMemory ? () => {} : lockDataDir(dataDir);
  const pglite = new PGlite(inMemory ? 'memory://' : path.resolve(dataDir), {
    parsers: {
      [OID.int8]: (v: string) => Number(v),
      [OID.date]: (v: string) => v,
      [OID.numeric]: (v: string) => v,
    },
  });
  try {
    await pglite.waitReady;
  } catch (error) {
    unlock();
    throw error;
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    dialect: 'pglite',
    location: inMemory ? 'memory' : path.resolve(dataDir),
    async close() {
      try {
        await db.destroy();
      } finally {
        unlock();
      }
    },
  };
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
