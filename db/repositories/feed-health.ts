import type { Kysely } from 'kysely';
import type { Database, FeedHealthRow } from '../schema.ts';

export interface FeedIdentity {
  url: string;
  name: string;
  source: string;
  category: string;
}

export function getFeedHealth(db: Kysely<Database>, url: string): Promise<FeedHealthRow | undefined> {
  return db.selectFrom('feed_health').selectAll().where('url', '=', url).executeTakeFirst();
}

export function listFeedHealth(db: Kysely<Database>): Promise<FeedHealthRow[]> {
  return db.selectFrom('feed_health').selectAll().orderBy('name').orderBy('url').execute();
}

export type FeedOutcome =
  | { status: 'ok'; items: number; added: number; etag: string | null; lastModified: string | null }
  | { status: 'not_modified' }
  | { status: 'error'; error: string };

/** Records one fetch of a feed (insert or update in one statement). */
export async function recordFeedFetch(
  db: Kysely<Database>,
  feed: FeedIdentity,
  outcome: FeedOutcome,
  at: { now: Date; nextFetchAt: Date },
): Promise<void> {
  const base = {
    url: feed.url,
    name: feed.name,
    source: feed.source,
    category: feed.category,
    last_fetch_at: at.now,
    last_status: outcome.status,
    next_fetch_at: at.nextFetchAt,
    updated_at: at.now,
  };
  const set =
    outcome.status === 'ok'
      ? {
          ...base,
          last_ok_at: at.now,
          etag: outcome.etag,
          last_modified: outcome.lastModified,
          items_last: outcome.items,
          items_added_last: outcome.added,
          failures: 0,
        }
      : outcome.status === 'not_modified'
        ? { ...base, last_ok_at: at.now, items_added_last: 0, failures: 0 }
        : { ...base, last_error: outcome.error.slice(0, 1000), last_error_at: at.now };
  await db
    .insertInto('feed_health')
    .values({ ...set, ...(outcome.status === 'error' ? { failures: 1 } : {}) })
    .onConflict((oc) =>
      oc.column('url').doUpdateSet((eb) => ({
        ...set,
        ...(outcome.status === 'error' ? { failures: eb('feed_health.failures', '+', 1) } : {}),
      })),
    )
    .execute();
}
