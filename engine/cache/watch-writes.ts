import type { Kysely } from 'kysely';
import { writeWatchPlugin } from '../../db/plugins/write-watch.ts';
import type { Database } from '../../db/schema.ts';
import { WATCHED_TABLES } from './keys.ts';
import type { Cache } from './types.ts';

/** The database as every writer should use it: each write invalidates the cached reads it touches. */
export function watchWrites(db: Kysely<Database>, cache: Cache): Kysely<Database> {
  if (cache.kind === 'off') return db;
  return db.withPlugin(
    writeWatchPlugin({ tables: WATCHED_TABLES, onWrite: (tables) => cache.tablesWritten(tables) }),
  );
}
