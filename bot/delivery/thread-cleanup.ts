import type { ThreadBinding } from '../../db/repositories/chat.ts';
import { listPreviews, untrackPreview } from '../../db/repositories/chat-delivery.ts';
import { DeliveryError } from '../platform.ts';
import { reconcileThread } from './reconcile.ts';
import type { Lane, StepDeps } from './thread-steps.ts';

type CleanupLane = Pick<Lane, 'bindingId' | 'thread' | 'previews'>;

/** Deletes the preview posts that belong to no message any more, oldest first. */
export async function deleteAbandoned(deps: StepDeps, lane: CleanupLane): Promise<void> {
  while (lane.previews.abandoned.length > 0 && !deps.stopped()) {
    const post = lane.previews.abandoned[0]!;
    await removePreview(deps, lane, post.id, post.byIdentity);
    lane.previews.abandoned.shift();
  }
}

/** Deletes a preview post (gone already counts as done), then forgets it. */
async function removePreview(
  deps: StepDeps,
  lane: CleanupLane,
  postId: string,
  byIdentity: boolean,
): Promise<void> {
  try {
    await deps.platform.deletePost(lane.thread, postId, byIdentity);
  } catch (error) {
    // Retried on the next start while it is still tracked; a post already gone is done.
    if (!(error instanceof DeliveryError && error.code === 'unknown_post')) {
      deps.log.debug('could not delete a preview', { error: error instanceof Error ? error.message : '' });
      if (!(error instanceof DeliveryError && error.code === 'gone')) return;
    }
  }
  await untrackPreview(deps.db, lane.bindingId, postId);
}

/**
 * What a process does before delivering a thread it has just taken (after a start, or from a
 * process that died): removes the previews left on screen, whose messages come from the outbox,
 * and reconciles the thread's recent posts with the outbox. Throws to be retried (or, with a
 * `gone` DeliveryError, because the thread no longer exists).
 */
export async function cleanUpTakenThread(
  deps: StepDeps,
  lane: CleanupLane,
  binding: ThreadBinding,
): Promise<void> {
  const { db, platform, clock, log } = deps;
  for (const p of await listPreviews(db, lane.bindingId)) {
    if (deps.stopped()) return;
    await removePreview(deps, lane, p.remoteId, p.byIdentity);
  }
  const r = await reconcileThread({ db, platform, clock }, binding, lane.thread);
  if (deps.stopped()) return;
  for (const o of r.orphans) {
    await platform.deletePost(lane.thread, o.id, o.byIdentity).catch(() => {});
  }
  if (r.adopted > 0 || r.orphans.length > 0) {
    log.info('reconciled a thread after restart', { adopted: r.adopted, orphans: r.orphans.length });
  }
}
