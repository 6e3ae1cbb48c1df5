import { GROUP_TABLES } from './keys.ts';
import type { CacheCounts, CacheGroup } from './types.ts';

export function emptyCounts(): Record<CacheGroup, CacheCounts> {
  return Object.fromEntries(
    Object.keys(GROUP_TABLES).map((g) => [g, { hits: 0, misses: 0, errors: 0 }]),
  ) as Record<CacheGroup, CacheCounts>;
}

/** The PROCESSES panel's line for the cache, e.g. `Redis · 92% hits (1104 hits, 96 misses, 0 errors)`. */
export function describeCache(stats: Record<CacheGroup, CacheCounts>): string {
  let hits = 0;
  let misses = 0;
  let errors = 0;
  for (const c of Object.values(stats)) {
    hits += c.hits;
    misses += c.misses;
    errors += c.errors;
  }
  const reads = hits + misses + errors;
  if (reads === 0) return 'Redis · no reads yet';
  return `Redis · ${Math.round((100 * hits) / reads)}% hits (${hits} hits, ${misses} misses, ${errors} errors)`;
}
