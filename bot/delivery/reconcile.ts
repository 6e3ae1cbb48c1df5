import type { Kysely } from 'kysely';
import type { ThreadBinding } from '../../db/repositories/chat.ts';
import {
  markOutboxSent,
  nextPendingOutbox,
  recentRemoteIds,
  recordOutboxProgress,
} from '../../db/repositories/chat-outbox.ts';
import type { Database } from '../../db/schema.ts';
import type { Clock } from '../../engine/clock.ts';
import { RECONCILE_WINDOW } from '../constants.ts';
import type { ChatPlatform, OutgoingPost, OwnPost, ThreadRef } from '../platform.ts';
import { planPosts } from './post-parts.ts';

export interface ReconcileResult {
  /** Posts adopted by the first pending row (sent before a crash, never committed). */
  adopted: number;
  /** Own posts that belong to nothing committed (e.g. a streaming preview): delete them. */
  orphans: Array<{ id: string; byIdentity: boolean }>;
}

/**
 * After a restart, matches the app's recent posts in a thread against the outbox: a post whose
 * send succeeded but whose commit did not is adopted by the row it belongs to; the rest are orphans.
 * Delivery is strictly one row at a time per thread, so only the first pending row can own them.
 */
export async function reconcileThread(
  deps: { db: Kysely<Database>; platform: ChatPlatform; clock: Clock },
  binding: ThreadBinding,
  thread: ThreadRef,
): Promise<ReconcileResult> {
  const own = await deps.platform.recentOwnPosts(thread, RECONCILE_WINDOW);
  const known = new Set(await recentRemoteIds(deps.db, binding.id, RECONCILE_WINDOW));
  let lastKnown = -1;
  own.forEach((p, i) => {
    if (known.has(p.id)) lastKnown = i;
  });
  const candidates = own.slice(lastKnown + 1).filter((p) => !known.has(p.id));
  if (candidates.length === 0) return { adopted: 0, orphans: [] };

  let adopted = 0;
  const row = await nextPendingOutbox(deps.db, binding.id);
  const plan = row ? planPosts(row, deps.platform) : null;
  if (row && plan && !('error' in plan)) {
    const ids = [...row.remoteIds];
    while (ids.length < plan.posts.length && candidates.length > 0) {
      const post = plan.posts[ids.length]!;
      const candidate = candidates[0]!;
      if (!belongsTo(candidate, post)) break;
      candidates.shift();
      // A streaming preview of this very message: bring it to the committed text.
      if (!sameContent(candidate, post)) await deps.platform.edit(thread, candidate.id, post);
      ids.push(candidate.id);
      adopted++;
    }
    if (adopted > 0) {
      if (ids.length === plan.posts.length) await markOutboxSent(deps.db, row.id, ids, deps.clock.now());
      else await recordOutboxProgress(deps.db, row.id, ids);
    }
  }
  return { adopted, orphans: candidates.map((c) => ({ id: c.id, byIdentity: c.username !== null })) };
}

function belongsTo(candidate: OwnPost, post: OutgoingPost): boolean {
  return post.identity ? candidate.username === post.identity.username : candidate.username === null;
}

function sameContent(candidate: OwnPost, post: OutgoingPost): boolean {
  return candidate.text === (post.text ?? '') && candidate.embedTitle === (post.embed?.title ?? null);
}
