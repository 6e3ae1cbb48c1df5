import type { Kysely } from 'kysely';
import { trackPreview } from '../../db/repositories/chat-delivery.ts';
import {
  markOutboxFailed,
  markOutboxRetry,
  markOutboxSent,
  type OutboxEntry,
  recordOutboxProgress,
} from '../../db/repositories/chat-outbox.ts';
import type { Database } from '../../db/schema.ts';
import type { Clock } from '../../engine/clock.ts';
import type { Logger } from '../../engine/log.ts';
import {
  RETRY_BASE_MS,
  RETRY_MAX_ATTEMPTS,
  RETRY_MAX_MS,
  STREAM_EDIT_INTERVAL_MS,
  STREAMING_SUFFIX,
} from '../constants.ts';
import { type ChatPlatform, DeliveryError, type ThreadRef } from '../platform.ts';
import { previewText } from '../text/split-text.ts';
import { planPosts } from './post-parts.ts';
import type { StreamPreviews } from './stream-previews.ts';

/** What every delivery step needs; `stopped()` turns true when the process is going down. */
export interface StepDeps {
  db: Kysely<Database>;
  platform: ChatPlatform;
  clock: Clock;
  log: Logger;
  stopped(): boolean;
}

/** One thread's delivery state, as the steps see it. */
export interface Lane {
  bindingId: string;
  thread: ThreadRef;
  previews: StreamPreviews;
  /** Notes which persona made a post, before its commit lands. */
  remember(postId: string, personaId: string): void;
  /**
   * Posts made for a row whose record did not reach the database (it went away mid-step): the
   * next attempt records them instead of posting again.
   */
  unrecorded: Map<string, string[]>;
}

/** Posts one outbox row (several posts when split), recording progress so a retry never repeats a part. */
export async function deliverRow(deps: StepDeps, lane: Lane, row: OutboxEntry): Promise<void> {
  const { db, platform } = deps;
  const plan = planPosts(row, platform);
  if ('error' in plan) {
    deps.log.error('dropping an outbox row that cannot be posted', { id: row.id, error: plan.error });
    await markOutboxFailed(db, row.id, plan.error);
    return;
  }
  const known = lane.unrecorded.get(row.id);
  const ids = [...(known && known.length > row.remoteIds.length ? known : row.remoteIds)];
  const turn = plan.payload.turnIndex;
  // The committed message replaces its own streaming preview (a persona's, or the moderator's).
  const preview = turn !== undefined ? lane.previews.take(turn) : null;
  // Edited in place only while nothing was posted below it: otherwise the message would read above
  // a notice the log puts before it.
  const inPlace = preview?.identity?.username === plan.payload.identity?.username && !preview?.overtaken;
  let previewUsed = false;
  try {
    for (let i = ids.length; i < plan.posts.length; i++) {
      const post = plan.posts[i]!;
      let id: string | null = null;
      if (i === 0 && preview?.postId && inPlace) {
        // The message was streamed: the final edit puts in the exact committed text.
        try {
          await platform.edit(lane.thread, preview.postId, post);
          id = preview.postId;
        } catch (error) {
          if (!(error instanceof DeliveryError && error.code === 'unknown_post')) throw error;
          // The preview can no longer be edited (e.g. its webhook was deleted): post anew, drop it.
          lane.previews.abandon(preview);
        }
        previewUsed = true;
      } else if (i === 0 && preview?.postId) {
        lane.previews.abandon(preview);
        previewUsed = true;
      }
      if (id === null) {
        id = await platform.post(lane.thread, post);
        lane.previews.postedBelow();
      }
      if (plan.payload.personaId) lane.remember(id, plan.payload.personaId);
      // Stopped mid-send: leave the commit to the next start's reconcile, as after a crash.
      if (deps.stopped()) return;
      ids.push(id);
      lane.unrecorded.set(row.id, [...ids]);
      if (i < plan.posts.length - 1) await recordOutboxProgress(db, row.id, ids);
    }
    // The preview is the committed post now: untracked with the same statement, nothing to remove
    // after a restart.
    const becamePost =
      preview?.postId && ids.includes(preview.postId)
        ? { bindingId: lane.bindingId, remoteId: preview.postId }
        : undefined;
    await markOutboxSent(db, row.id, ids, deps.clock.now(), becamePost);
    lane.unrecorded.delete(row.id);
  } catch (error) {
    if (deps.stopped()) return;
    // The next attempt edits the same preview rather than leaving it behind.
    if (preview && !previewUsed) lane.previews.restore(preview);
    if (ids.length > row.remoteIds.length) await recordOutboxProgress(db, row.id, ids);
    await recordFailure(deps, row, error);
  }
}

async function recordFailure(deps: StepDeps, row: OutboxEntry, error: unknown): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  const permanent = error instanceof DeliveryError && (error.code === 'gone' || error.code === 'rejected');
  const attempts = row.attempts + 1;
  if (permanent || attempts >= RETRY_MAX_ATTEMPTS) {
    deps.log.error('giving up on a post', { id: row.id, attempts, error: message });
    await markOutboxFailed(deps.db, row.id, message);
    return;
  }
  const backoff = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (attempts - 1)) * (0.75 + Math.random() * 0.5);
  const retryAfter = error instanceof DeliveryError ? (error.retryAfterMs ?? 0) : 0;
  const nextAttemptAt = new Date(deps.clock.now().getTime() + Math.max(backoff, retryAfter));
  deps.log.warn('post failed, will retry', { id: row.id, attempts, error: message });
  await markOutboxRetry(deps.db, row.id, { attempts, error: message, nextAttemptAt });
}

/** Posts or edits the live preview; returns how long to wait before the next edit is allowed. */
export async function updatePreview(deps: StepDeps, lane: Lane): Promise<number | null> {
  const { platform, clock } = deps;
  const p = lane.previews.live();
  if (!p || p.failed || p.text.trim() === '') return null;
  const text = previewText(`${p.prefix}${p.text}`, platform.maxPostLength, STREAMING_SUFFIX);
  if (text === p.shown) return null;
  const wait =
    p.lastPostAt + (platform.pacing?.streamEditIntervalMs ?? STREAM_EDIT_INTERVAL_MS) - clock.now().getTime();
  if (p.postId && wait > 0) return wait;
  const post = p.identity ? { text, identity: platform.normalizeIdentity(p.identity) } : { text };
  try {
    if (p.postId) await platform.edit(lane.thread, p.postId, post);
    else {
      const id = await platform.post(lane.thread, post);
      if (deps.stopped()) return null;
      p.postId = id;
      lane.remember(id, p.personaId);
      // Recorded so a restart removes it if its message never replaces it.
      await trackPreview(deps.db, lane.bindingId, {
        turnIndex: p.turnIndex,
        remoteId: id,
        byIdentity: p.identity !== null,
      });
    }
    p.shown = text;
    p.lastPostAt = clock.now().getTime();
  } catch (error) {
    // A preview is a courtesy: the committed message is delivered through the outbox anyway.
    p.failed = true;
    deps.log.debug('streaming preview failed', {
      error: error instanceof Error ? error.message : String(error),
    });
  }
  return null;
}
