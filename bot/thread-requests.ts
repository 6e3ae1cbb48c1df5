import type { Kysely } from 'kysely';
import { insertThreadBinding, type ThreadBinding } from '../db/repositories/chat.ts';
import {
  claimThreadRequests,
  completeThreadRequest,
  failThreadRequest,
  type ThreadRequest,
} from '../db/repositories/chat-thread-requests.ts';
import type { Database } from '../db/schema.ts';
import type { Logger } from '../engine/log.ts';
import {
  MAX_THREAD_TITLE,
  RETRY_BASE_MS,
  RETRY_MAX_ATTEMPTS,
  RETRY_MAX_MS,
  THREAD_REQUEST_LEASE_MS,
} from './constants.ts';
import { type ChatPlatform, DeliveryError } from './platform.ts';

/**
 * Threads asked for by processes without the platform (a `--role worker` running `debate.auto`
 * writes the request with the debate): this bot process claims a request, opens the thread, writes
 * the binding and marks the request done in one transaction, then delivers the thread from the log
 * like any other. A process killed between opening and that commit leaves an empty thread; the
 * request is taken again once its claim runs out.
 */
export function createThreadRequests(deps: {
  db: Kysely<Database>;
  platform: Pick<ChatPlatform, 'name' | 'openThread'>;
  owner: string;
  log: Logger;
  /** Starts delivering a binding written here. */
  follow(binding: ThreadBinding): Promise<void>;
}) {
  const { db, platform, owner, log } = deps;
  let running: Promise<void> | null = null;
  let stopped = false;

  async function open(r: ThreadRequest): Promise<void> {
    try {
      const thread = await platform.openThread({
        workspaceId: r.workspaceId,
        channelId: r.channelId,
        title: r.title.slice(0, MAX_THREAD_TITLE),
      });
      const binding = await db.transaction().execute(async (trx) => {
        const b = await insertThreadBinding(trx, {
          platform: platform.name,
          ...thread,
          debateId: r.debateId,
          createdBy: r.createdBy,
        });
        if (!(await completeThreadRequest(trx, r.id, owner, thread.threadId)))
          throw new Error('the request was taken over by another process while its thread was opened');
        return b;
      });
      log.info('opened a requested thread', { debate: r.debateId, thread: thread.threadId });
      await deps.follow(binding);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const permanent =
        error instanceof DeliveryError && (error.code === 'gone' || error.code === 'rejected');
      if (permanent || r.attempts >= RETRY_MAX_ATTEMPTS) {
        log.error('could not open a requested thread; giving up', { debate: r.debateId, error: message });
        await failThreadRequest(db, r.id, owner, message, null).catch(() => {});
        return;
      }
      const retryInMs = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (r.attempts - 1));
      log.warn('could not open a requested thread; will retry', { debate: r.debateId, error: message });
      await failThreadRequest(db, r.id, owner, message, retryInMs).catch(() => {});
    }
  }

  return {
    /** Opens every thread asked for and not being opened elsewhere; one pass at a time. */
    run(): Promise<void> {
      running ??= (async () => {
        try {
          const claimed = await claimThreadRequests(db, platform.name, owner, {
            leaseMs: THREAD_REQUEST_LEASE_MS,
            limit: 20,
          });
          for (const r of claimed) if (!stopped) await open(r);
        } catch (error) {
          log.warn('could not read thread requests', {
            error: error instanceof Error ? error.message : String(error),
          });
        } finally {
          running = null;
        }
      })();
      return running;
    },
    stop(): void {
      stopped = true;
    },
    idle: (): Promise<void> => running ?? Promise.resolve(),
  };
}
