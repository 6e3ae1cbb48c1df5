import type { Kysely } from 'kysely';
import { getFeedHealth, recordFeedFetch } from '../../db/repositories/feed-health.ts';
import { insertNewSignals } from '../../db/repositories/signals.ts';
import type { Database, NewSignal } from '../../db/schema.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { absoluteUrl } from './canonical-url.ts';
import type { Feed } from './feeds-file.ts';
import { DEFAULT_FETCH_LIMITS, type FetchLimits, fetchFeed } from './fetch-feed.ts';
import { normaliseItem } from './normalise.ts';
import { parseFeedText } from './parse-feed.ts';

/** Items kept per fetch of one feed (newest first); a feed of 500 items stores its 50 newest. */
export const ITEMS_PER_FEED = 50;
/** Feeds fetched at once. */
export const FEED_CONCURRENCY = 4;
/** Longest wait before retrying a failing feed. */
const MAX_BACKOFF_MS = 24 * 3600_000;

export interface CollectDeps {
  db: Kysely<Database>;
  clock: Clock;
  log: Logger;
  limits?: Partial<FetchLimits>;
  /** Time between good fetches of one feed (the schedule's interval). */
  intervalMs?: number;
  fetchImpl?: typeof fetch;
}

export interface FeedReport {
  name: string;
  url: string;
  status: 'ok' | 'not_modified' | 'error' | 'skipped';
  items: number;
  added: number;
  error?: string;
}

export interface CollectReport {
  feeds: FeedReport[];
  added: number;
  errors: number;
}

/**
 * Fetches feeds and stores their new items as signals. One feed failing (network, HTTP, XML,
 * size) is recorded in its health row and never stops the others. With `dueOnly`, feeds whose
 * next fetch is still ahead (after failures, a back-off) are skipped.
 */
export async function collectSignals(
  deps: CollectDeps,
  feeds: readonly Feed[],
  opts: { dueOnly?: boolean } = {},
): Promise<CollectReport> {
  const enabled = feeds.filter((f) => f.enabled);
  const reports: FeedReport[] = new Array(enabled.length);
  let next = 0;
  const worker = async () => {
    while (next < enabled.length) {
      const i = next++;
      reports[i] = await collectOne(deps, enabled[i]!, opts).catch((error: unknown) => ({
        name: enabled[i]!.name,
        url: enabled[i]!.url,
        status: 'error' as const,
        items: 0,
        added: 0,
        error: error instanceof Error ? error.message : String(error),
      }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(FEED_CONCURRENCY, enabled.length) }, worker));
  return {
    feeds: reports,
    added: reports.reduce((n, r) => n + r.added, 0),
    errors: reports.filter((r) => r.status === 'error').length,
  };
}

async function collectOne(deps: CollectDeps, feed: Feed, opts: { dueOnly?: boolean }): Promise<FeedReport> {
  const { db, clock, log } = deps;
  const interval = deps.intervalMs ?? 30 * 60_000;
  const health = await getFeedHealth(db, feed.url);
  const started = clock.now();
  if (opts.dueOnly && health?.next_fetch_at && new Date(health.next_fetch_at) > started)
    return { name: feed.name, url: feed.url, status: 'skipped', items: 0, added: 0 };
  const limits = { ...DEFAULT_FETCH_LIMITS, ...deps.limits };
  const result = await fetchFeed(
    feed.url,
    { etag: health?.etag ?? null, lastModified: health?.last_modified ?? null },
    limits,
    deps.fetchImpl,
  );
  const now = clock.now();
  const fail = async (error: string): Promise<FeedReport> => {
    const failures = (health?.failures ?? 0) + 1;
    const backoff = Math.min(MAX_BACKOFF_MS, interval * 2 ** Math.min(failures - 1, 10));
    await recordFeedFetch(
      db,
      feed,
      { status: 'error', error },
      { now, nextFetchAt: new Date(now.getTime() + backoff) },
    );
    log.warn(`feed "${feed.name}" failed: ${error}`, { url: feed.url });
    return { name: feed.name, url: feed.url, status: 'error', items: 0, added: 0, error };
  };
  if (result.kind === 'error') return fail(result.reason);
  const nextFetchAt = new Date(now.getTime() + interval);
  if (result.kind === 'not_modified') {
    await recordFeedFetch(db, feed, { status: 'not_modified' }, { now, nextFetchAt });
    return { name: feed.name, url: feed.url, status: 'not_modified', items: 0, added: 0 };
  }
  const parsed = await parseFeedText(result.text);
  if (!parsed.ok) return fail(parsed.reason);
  const newest = [...parsed.items]
    .sort((a, b) => (b.published?.getTime() ?? 0) - (a.published?.getTime() ?? 0))
    .slice(0, ITEMS_PER_FEED);
  const rows = new Map<string, NewSignal>();
  // Relative item links are relative to the site the channel names, else to the feed itself.
  const base = absoluteUrl(parsed.link, result.finalUrl) ?? result.finalUrl;
  for (const item of newest) {
    const row = normaliseItem(item, feed, { feedUrl: result.finalUrl, baseUrl: base, now });
    if (row.dedup_key && !rows.has(row.dedup_key)) rows.set(row.dedup_key, row);
  }
  const added = await insertNewSignals(db, [...rows.values()]);
  await recordFeedFetch(
    db,
    feed,
    {
      status: 'ok',
      items: rows.size,
      added: added.length,
      etag: result.etag,
      lastModified: result.lastModified,
    },
    { now, nextFetchAt },
  );
  log.info(`feed "${feed.name}": ${rows.size} item(s), ${added.length} new`);
  return { name: feed.name, url: feed.url, status: 'ok', items: rows.size, added: added.length };
}
