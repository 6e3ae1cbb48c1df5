import { emptyCounts } from './stats.ts';

/**
 * What a cached read depends on. A committed write to any table of a group (db/write-watch.ts)
 * makes every cached value of that group stale at once.
 */
export type CacheGroup = 'signals' | 'trends' | 'ideas' | 'budget' | 'debates' | 'agents';

/** One cached read: where it lives, what makes it stale, and how long it may live at most. */
export interface CacheKey {
  group: CacheGroup;
  /** The seed's key pattern, e.g. `ideas:status:pending`. */
  key: string;
  ttlSeconds: number;
}

/** How this process's cached reads of one group were answered since it started. */
export interface CacheCounts {
  /** From Redis. */
  hits: number;
  /** From the database: nothing stored, or stored before a write (an older generation). */
  misses: number;
  /** From the database because Redis failed, was too slow or was away. */
  errors: number;
}

/** Hot reads kept for a short while; every implementation answers from `load` when it cannot. */
export interface Cache {
  /** The cached value, or `load()`'s (stored for next time). Never fails because of the cache. */
  read<T>(key: CacheKey, load: () => Promise<T>): Promise<T>;
  /** Writes to these tables were committed: the groups reading them are stale. Returns at once. */
  tablesWritten(tables: ReadonlySet<string>): void;
  /** Resolves once every invalidation of the writes committed so far has reached the cache. */
  settled(): Promise<void>;
  /** Per group, how reads were answered (every group present; all zero for the no-op cache). */
  stats(): Record<CacheGroup, CacheCounts>;
  /** 'redis', or 'off' for the no-op cache. */
  readonly kind: 'redis' | 'off';
  close(): Promise<void>;
}

/** Without REDIS_URL: every read goes to the database (one process has nothing to share). */
export const noCache: Cache = {
  kind: 'off',
  read: (_key, load) => load(),
  tablesWritten() {},
  stats: () => emptyCounts(),
  async settled() {},
  async close() {},
};
