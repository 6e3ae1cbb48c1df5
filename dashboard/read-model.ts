import { type Kysely, sql } from 'kysely';
import { listAgentStates } from '../db/repositories/agents.ts';
import { listFeedHealth } from '../db/repositories/feed-health.ts';
import { countIdeasByStatus } from '../db/repositories/ideas.ts';
import { listLogs } from '../db/repositories/logs.ts';
import type { Database, IdeaStatus, Signal } from '../db/schema.ts';
import { redact } from '../engine/log.ts';

// Read-only aggregates the dashboard shows and the Arena facade does not offer. Nothing here writes.

export const IDEA_STATUSES: readonly IdeaStatus[] = [
  'pending',
  'in_debate',
  'selected',
  'rejected',
  'planned',
];

/** Idea counts with every status present (zero when none). */
export async function ideaCounts(db: Kysely<Database>): Promise<Record<IdeaStatus, number>> {
  const counts = await countIdeasByStatus(db);
  return Object.fromEntries(IDEA_STATUSES.map((s) => [s, counts[s] ?? 0])) as Record<IdeaStatus, number>;
}

export async function countDebatesByStatus(db: Kysely<Database>): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('debate_sessions')
    .select(['status', sql<number>`count(*)::int8`.as('n')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

export interface LogLine {
  at: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  source: string;
  message: string;
}

/** Newest system_logs rows above debug level, oldest first. */
export async function recentLogs(db: Kysely<Database>, limit: number): Promise<LogLine[]> {
  const rows = await listLogs(db, { limit: limit * 2 });
  return rows
    .filter((r) => r.level !== 'debug')
    .slice(0, limit)
    .reverse()
    .map((r) => ({
      at: new Date(r.created_at).toISOString(),
      level: r.level,
      source: r.source,
      message: redact(r.message),
    }));
}

export interface AgentActivity {
  id: string;
  status: string;
  currentTask: string | null;
  lastActiveAt: string | null;
  totalMessages: number;
  totalTokens: number;
}

export async function agentActivity(db: Kysely<Database>): Promise<Map<string, AgentActivity>> {
  const rows = await listAgentStates(db);
  return new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        status: r.status,
        currentTask: r.current_task,
        lastActiveAt: r.last_active_at ? new Date(r.last_active_at).toISOString() : null,
        totalMessages: Number(r.total_messages),
        totalTokens: Number(r.total_tokens),
      },
    ]),
  );
}

/** A signal as the page shows it (raw payloads stay on the server). */
export interface SignalView {
  id: string;
  source: string;
  category: string;
  title: string;
  summary: string | null;
  url: string | null;
  score: number;
  sentiment: string | null;
  topics: string[];
  collectedAt: string;
}

export function toSignalView(s: Signal): SignalView {
  return {
    id: s.id,
    source: s.source,
    category: s.category,
    title: s.title,
    summary: s.summary,
    url: safeLink(s.url),
    score: Number(s.score),
    sentiment: s.sentiment,
    topics: s.topics ?? [],
    collectedAt: new Date(s.collected_at).toISOString(),
  };
}

/** Only http(s) links reach the page; a `javascript:` URL from a feed must never become a link. */
export function safeLink(url: string | null): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : null;
  } catch {
    return null;
  }
}

/** One configured feed's health as the SIGNALS panel shows it (no URL: a feed URL may carry a key). */
export interface FeedHealthView {
  name: string;
  source: string;
  category: string;
  /** `ok`, `not_modified`, `error`, or null before the first fetch. */
  status: string | null;
  failing: boolean;
  lastFetchAt: string | null;
  lastOkAt: string | null;
  lastErrorAt: string | null;
  lastError: string | null;
  items: number;
  failures: number;
  nextFetchAt: string | null;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** Every feed's health record (`feed_health`), by name; errors redacted. */
export async function feedHealthViews(db: Kysely<Database>): Promise<FeedHealthView[]> {
  return (await listFeedHealth(db)).map((f) => ({
    name: f.name,
    source: f.source,
    category: f.category,
    status: f.last_status,
    failing: f.last_status === 'error',
    lastFetchAt: iso(f.last_fetch_at),
    lastOkAt: iso(f.last_ok_at),
    lastErrorAt: iso(f.last_error_at),
    lastError: f.last_error ? redact(f.last_error) : null,
    items: Number(f.items_last),
    failures: Number(f.failures),
    nextFetchAt: iso(f.next_fetch_at),
  }));
}
