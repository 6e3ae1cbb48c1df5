import type { CacheGroup, CacheKey } from './types.ts';

// TTLs are a backstop only: a write invalidates its group at once (redis-cache.ts). Each is how
// stale a value may get if an invalidation is lost (Redis cut mid-write, another process's outage).
const TTL = {
  // Signals arrive with the feed fetch every 30 min.
  signals: 120,
  // Trends change with the hourly analysis.
  trends: 600,
  ideas: 60,
  // Spending moves with every priced turn; a short life keeps `/arena budget` close to the truth.
  budget: 15,
  debate: 60,
  // Agent totals are folded in batches after turns, so they lag a little anyway.
  agents: 30,
} as const;

/** The tables each group reads; a write to one of them invalidates the group. */
export const GROUP_TABLES: Record<CacheGroup, readonly string[]> = {
  signals: ['signals'],
  trends: ['trends'],
  ideas: ['ideas'],
  budget: ['budget_windows', 'api_usage', 'budget_reservations'],
  debates: ['debate_sessions', 'debate_messages', 'plans', 'ideas'],
  agents: ['agent_states'],
};

export const WATCHED_TABLES: ReadonlySet<string> = new Set(Object.values(GROUP_TABLES).flat());

/** The groups that read any of these tables. */
export function groupsOf(tables: ReadonlySet<string>): CacheGroup[] {
  return (Object.keys(GROUP_TABLES) as CacheGroup[]).filter((g) =>
    GROUP_TABLES[g].some((t) => tables.has(t)),
  );
}

/** The seed's cache keys (section 3.7), with a suffix where the same read takes a limit. */
export const cacheKeys = {
  signalsRecent: (hours: number, limit: number): CacheKey => ({
    group: 'signals',
    key: `signals:recent:${hours}:${limit}`,
    ttlSeconds: TTL.signals,
  }),
  signalSources: (): CacheKey => ({ group: 'signals', key: 'signals:sources', ttlSeconds: TTL.signals }),
  trendsLatest: (period: string, limit: number): CacheKey => ({
    group: 'trends',
    key: `trends:latest:${period}:${limit}`,
    ttlSeconds: TTL.trends,
  }),
  ideasByStatus: (status: string | undefined, limit: number | undefined): CacheKey => ({
    group: 'ideas',
    key: `ideas:status:${status ?? 'all'}:${limit ?? 'default'}`,
    ttlSeconds: TTL.ideas,
  }),
  ideaCounts: (): CacheKey => ({ group: 'ideas', key: 'ideas:counts', ttlSeconds: TTL.ideas }),
  /** Today's and this month's windows: one query reads both. */
  budgetToday: (): CacheKey => ({ group: 'budget', key: 'budget:today', ttlSeconds: TTL.budget }),
  /** This month's spending per provider and model. */
  budgetMonth: (): CacheKey => ({ group: 'budget', key: 'budget:month', ttlSeconds: TTL.budget }),
  debateSession: (id: string): CacheKey => ({
    group: 'debates',
    key: `debate:session:${id}`,
    ttlSeconds: TTL.debate,
  }),
  agentStates: (): CacheKey => ({ group: 'agents', key: 'agent:state:all', ttlSeconds: TTL.agents }),
};
