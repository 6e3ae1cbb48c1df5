import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { connectDatabase } from '../../db/connect.ts';
import type { Database } from '../../db/schema.ts';
import { copyMigratedPgliteDir, createTestDatabase, type TestDatabase } from './db.ts';

/** The database child arenas run on: a fresh migrated Postgres database, or a migrated PGlite folder in the temp dir. */
export interface ChildDatabase {
  /** What a child `arena start` needs to open it. */
  env: Record<string, string>;
  /** Reads it between children (PGlite allows one process per data folder). */
  withDb<T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T>;
  dispose(): Promise<void>;
}

export async function createChildDatabase(
  dialect: 'postgres' | 'pglite',
  prefix: string,
): Promise<ChildDatabase> {
  let t: TestDatabase | undefined;
  let parent: string | undefined;
  let dir: string | undefined;
  if (dialect === 'postgres') t = await createTestDatabase('postgres');
  else {
    parent = await mkdtemp(path.join(tmpdir(), prefix));
    dir = path.join(parent, 'pglite');
    await copyMigratedPgliteDir(dir);
  }
  return {
    env: t?.url ? { DATABASE_URL: t.url } : { PGLITE_DIR: dir! },
    async withDb(fn) {
      if (t) return fn(t.db);
      const h = await connectDatabase({ pgliteDataDir: dir! });
      try {
        return await fn(h.db);
      } finally {
        await h.close();
      }
    },
    async dispose() {
      await t?.dispose();
      if (parent) await rm(parent, { recursive: true, force: true });
    },
  };
}
