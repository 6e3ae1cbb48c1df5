import type { Kysely } from 'kysely';
import { claimDelivery, releaseDelivery, takeOverDelivery } from '../../db/repositories/chat-delivery.ts';
import type { Database } from '../../db/schema.ts';
import type { Logger } from '../../engine/log.ts';
import { ownerIsGone } from './owner.ts';

export interface ThreadLeaseDeps {
  db: Kysely<Database>;
  /** This process's name on the threads it delivers (`chat_threads.delivery_owner`). */
  owner: string;
  /** How long a thread stays ours without renewal; another process takes it over after that. */
  leaseMs: number;
  log: Logger;
}

/** One thread's delivery lease, as the worker delivering the thread holds it. */
export interface ThreadLease {
  /** Another process delivers this thread now: the worker stops without touching it. */
  readonly lost: boolean;
  /**
   * Takes or renews the lease. False when another process holds it: the worker stops, and that
   * process (which reconciles the thread first) carries on.
   */
  hold(): Promise<boolean>;
  /** Every platform call is made under a lease that surely holds: renewed first when in doubt. */
  held(): Promise<boolean>;
  /** Renews in the background too (an idle worker sleeps longer than a lease); `onLost` once lost. */
  keepRenewed(onLost: () => void): void;
  /** Stops the background renewal. */
  end(): void;
  /** Gives the thread back: everything is delivered, any process may take it if work comes back. */
  release(): Promise<void>;
}

/** The delivery leases of one process, and what it knows of threads other processes hold. */
export interface ThreadLeases {
  of(bindingId: string, threadId: string): ThreadLease;
  /**
   * Another process held this thread when last asked, its lease has not run out since, and it is
   * not known to be dead (killed on this host: then the next hold takes the thread over at once).
   */
  heldElsewhere(bindingId: string): boolean;
  /** This process has just claimed the thread (a sweep): forget that another held it. */
  claimed(bindingId: string): void;
}

export function createThreadLeases(deps: ThreadLeaseDeps): ThreadLeases {
  const { db, owner, leaseMs } = deps;
  // Threads another process holds (binding id → who, until when): events for them start no worker.
  const elsewhere = new Map<string, { owner: string | null; until: number }>();

  function of(bindingId: string, threadId: string): ThreadLease {
    // Local time until which the thread is surely ours (half a lease after the last renewal began).
    let heldUntil = 0;
    let lost = false;
    let renewTimer: ReturnType<typeof setInterval> | null = null;

    async function hold(): Promise<boolean> {
      const began = Date.now();
      const claim = await claimDelivery(db, bindingId, owner, leaseMs);
      // A holder on this host that was killed: no need to wait its lease out (a restart after a
      // crash would otherwise deliver nothing, previews included, for up to a lease and a sweep).
      const takenOver =
        !claim.held &&
        ownerIsGone(claim.owner) &&
        (await takeOverDelivery(db, bindingId, owner, claim.owner!, leaseMs));
      if (claim.held || takenOver) {
        heldUntil = began + leaseMs / 2;
        elsewhere.delete(bindingId);
        return true;
      }
      lost = true;
      elsewhere.set(bindingId, {
        owner: claim.owner,
        until: claim.until ? began + Math.min(leaseMs, Math.max(0, claim.until.getTime() - began)) : began,
      });
      deps.log.debug('thread delivered by another process', { thread: threadId, owner: claim.owner });
      return false;
    }

    return {
      get lost() {
        return lost;
      },
      hold,
      async held() {
        if (lost) return false;
        if (Date.now() < heldUntil) return true;
        return hold();
      },
      keepRenewed(onLost) {
        renewTimer = setInterval(() => {
          if (lost) return;
          hold()
            .then((ok) => {
              if (!ok) onLost();
            })
            .catch(() => {
              // The database is away: `held` renews before the next platform call or gives up.
            });
        }, leaseMs / 3);
        renewTimer.unref?.();
      },
      end() {
        if (renewTimer) clearInterval(renewTimer);
        renewTimer = null;
      },
      release: () => releaseDelivery(db, bindingId, owner),
    };
  }

  return {
    of,
    heldElsewhere(bindingId) {
      const other = elsewhere.get(bindingId);
      return other !== undefined && other.until > Date.now() && !ownerIsGone(other.owner);
    },
    claimed: (bindingId) => void elsewhere.delete(bindingId),
  };
}
