import type { WriteWatch } from '../../db/write-watch.ts';
import { WATCHED_TABLES } from './keys.ts';
import type { Cache } from './types.ts';

/**
 * Every committed write (any query on the database handle, in a transaction or not) invalidates the
 * cached reads of the tables it changed. Returns the removal of the listener.
 */
export function invalidateOnWrite(writes: WriteWatch, cache: Cache): () => void {
  if (cache.kind === 'off') return () => {};
  return writes.listen({ tables: WATCHED_TABLES, onCommit: (tables) => cache.tablesWritten(tables) });
}
