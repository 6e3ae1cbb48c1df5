import type { Kysely } from 'kysely';
import { ownerIsGone } from '../../bot/delivery/owner.ts';
import {
  claimLeadership,
  releaseLeadership,
  takeOverLeadership,
} from '../../db/repositories/platform-leaders.ts';
import type { Database } from '../../db/schema.ts';
import type { Logger } from '../../engine/log.ts';

/** A gateway holder that dies is replaced within this long (renewed every third of it). */
export const GATEWAY_LEASE_MS = 10_000;

export interface Leadership {
  isLeader(): boolean;
  /** Leaves the gateway and gives the lease back, so another process takes over at once. */
  stop(): Promise<void>;
}

/**
 * Keeps trying to hold a platform's gateway lease (a row in `platform_leaders`): the holder connects
 * the gateway, the others wait. Why a lease row and not a session advisory lock: it needs no
 * dedicated connection (the pool survives Postgres restarts, #13 item 2), a short outage does not
 * drop the gateway at once (the lease outlives it), and the handover time is explicit. A holder that
 * cannot renew in time disconnects by itself, so two processes never hold the gateway at once.
 * A holder that dies is replaced once its lease runs out, or at the next round when it was a
 * process on this host that no longer exists (killed): its socket died with it.
 */
export function holdLeadership(p: {
  db: Kysely<Database>;
  platform: string;
  owner: string;
  log: Logger;
  leaseMs?: number;
  onElected(): Promise<void>;
  onDeposed(): Promise<void>;
}): Leadership {
  const leaseMs = p.leaseMs ?? GATEWAY_LEASE_MS;
  const log = p.log.child('leader');
  let leader = false;
  let heldUntil = 0;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let tick: Promise<void> = Promise.resolve();

  async function depose(why: string): Promise<void> {
    if (!leader) return;
    leader = false;
    log.warn(`${p.platform}: gave up the gateway (${why})`);
    await p.onDeposed().catch((e) => log.warn('gateway disconnect failed', { error: String(e) }));
  }

  async function round(): Promise<void> {
    const began = Date.now();
    try {
      const claim = await claimLeadership(p.db, p.platform, p.owner, leaseMs);
      const held =
        claim.held ||
        (ownerIsGone(claim.owner) &&
          (await takeOverLeadership(p.db, p.platform, p.owner, claim.owner!, leaseMs)));
      if (stopped) return;
      if (!held) return depose(`held by ${(!claim.held && claim.owner) || 'another process'}`);
      if (!claim.held) log.info(`${p.platform}: took the gateway from ${claim.owner} (its process is gone)`);
      // Surely ours until then, measured from before the renewal was asked.
      heldUntil = began + leaseMs;
      if (leader) return;
      leader = true;
      log.info(`${p.platform}: this process holds the gateway`);
      try {
        await p.onElected();
      } catch (error) {
        // Could not connect: let another process try.
        leader = false;
        log.error(`${p.platform}: gateway did not connect (${String(error)}); giving the lease back`);
        await p.onDeposed().catch(() => {});
        await releaseLeadership(p.db, p.platform, p.owner).catch(() => {});
      }
    } catch (error) {
      // The database is away: keep the gateway while the lease surely holds, then let it go.
      if (leader && Date.now() >= heldUntil) await depose('could not renew the lease');
      log.debug('leader round failed', { error: String(error) });
    }
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      tick = round().finally(schedule);
    }, leaseMs / 3);
    timer.unref?.();
  };
  tick = round().finally(schedule);

  return {
    isLeader: () => leader,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await tick;
      if (leader) {
        leader = false;
        await p.onDeposed().catch(() => {});
        await releaseLeadership(p.db, p.platform, p.owner).catch(() => {});
      }
    },
  };
}
