import type { Arena } from '../api.ts';
import { cacheKeys } from './keys.ts';
import type { Cache } from './types.ts';

/**
 * The Arena with its hot reads (budget, ideas by status) going through the cache, for viewers: the
 * dashboard and `/arena budget`. Everything else, and any read-after-write path (the dashboard's
 * log follower, the engine itself), uses the database directly.
 */
export function withCachedReads(arena: Arena, cache: Cache): Arena {
  if (cache.kind === 'off') return arena;
  // The Arena is a plain object of closures (engine/arena.ts), so a spread keeps every other method.
  return {
    ...arena,
    listIdeas: (filter = {}) =>
      cache.read(cacheKeys.ideasByStatus(filter.status, filter.limit), () => arena.listIdeas(filter)),
    budget: () => cache.read(cacheKeys.budgetToday(), () => arena.budget()),
  };
}
