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
  return {
    startDebate: (input) => arena.startDebate(input),
    pause: (id, reason) => arena.pause(id, reason),
    resume: (id) => arena.resume(id),
    stop: (id) => arena.stop(id),
    injectHuman: (id, input) => arena.injectHuman(id, input),
    getDebate: (id) => arena.getDebate(id),
    listDebates: (filter) => arena.listDebates(filter),
    listIdeas: (filter = {}) =>
      cache.read(cacheKeys.ideasByStatus(filter.status, filter.limit), () => arena.listIdeas(filter)),
    budget: () => cache.read(cacheKeys.budgetToday(), () => arena.budget()),
    personas: () => arena.personas(),
  };
}
