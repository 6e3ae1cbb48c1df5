import type { Kysely } from 'kysely';
import { renewLeases } from '../../../db/repositories/debate-leases.ts';
import type { Database } from '../../../db/schema.ts';
import type { Clock } from '../../clock.ts';
import type { Logger } from '../../log.ts';

// Keeps the leases of every debate this process drives, in ONE statement per tick for all of them
// (it was one timer and one statement per debate every 10 s, queued behind the turns' statements
// in the same pool). A lease is extended by every claim and commit already, so a debate whose turns
// commit often is never renewed separately; only a debate waiting on a long model call is.
// Renewals go through `db`, which the app gives a connection of its own on Postgres
// (DatabaseHandle.leaseDb): a starved pool — hundreds of debates' statements waiting for 10
// connections — made renewals wait behind them past the lease, and another runner could take
// the debate.

export interface LeaseKeeperStats {
  /** Debates whose leases are kept now. */
  kept: number;
  /** Renewal statements run, and leases they extended. */
  statements: number;
  renewed: number;
  /** Ticks that fired later than planned by more than a tenth of the lease, and the worst lateness (event-loop lag). */
  lateTicks: number;
  maxLagMs: number;
}

export interface LeaseKeeper {
  /** Keeps `debateId`'s lease, just extended now; `onLost` runs if a renewal finds it taken. Returns the release. */
  keep(debateId: string, onLost: () => void): () => void;
  /** A fenced write (a claim, a commit) extended the lease at `at`: no renewal is due for a while. */
  extended(debateId: string, at: Date): void;
  /** Renews, in one statement, every kept lease extended half a renewal interval ago or more; what each tick runs. */
  renewDue(): Promise<void>;
  stats(): LeaseKeeperStats;
  stop(): void;
}

export interface LeaseKeeperProps {
  db: Kysely<Database>;
  clock: Clock;
  owner: string;
  leaseMs: number;
  /** A lease is never older than about this when renewed (ticks run every half of it). */
  renewMs: number;
  log: Logger;
}

export function createLeaseKeeper(p: LeaseKeeperProps): LeaseKeeper {
  const kept = new Map<string, { extendedAt: number; onLost: () => void }>();
  const tickMs = Math.max(1, Math.floor(p.renewMs / 2));
  const stats = { statements: 0, renewed: 0, lateTicks: 0, maxLagMs: 0 };
  let timer: NodeJS.Timeout | undefined;
  let plannedAt = 0;
  let renewing: Promise<void> | undefined;

  function arm() {
    if (timer || kept.size === 0) return;
    plannedAt = performance.now() + tickMs;
    timer = setTimeout(tick, tickMs);
    timer.unref?.();
  }
  function tick() {
    timer = undefined;
    const lag = performance.now() - plannedAt;
    stats.maxLagMs = Math.max(stats.maxLagMs, lag);
    if (lag > p.leaseMs / 10) {
      stats.lateTicks++;
      // The margin a lease has left at renewal is leaseMs - renewMs; lag eats into it.
      if (lag > p.leaseMs - p.renewMs)
        p.log.warn('lease renewal ran late: leases may have lapsed', { lagMs: Math.round(lag) });
    }
    void keeper.renewDue().finally(arm);
  }

  async function renew(): Promise<void> {
    const now = p.clock.now();
    const due = [...kept].filter(([, k]) => now.getTime() - k.extendedAt >= tickMs).map(([id]) => id);
    if (due.length === 0) return;
    stats.statements++;
    let renewed: Set<string>;
    try {
      renewed = new Set(
        await renewLeases(p.db, { ids: due, owner: p.owner, until: new Date(now.getTime() + p.leaseMs) }),
      );
    } catch (error) {
      p.log.warn('lease renewal failed', {
        debates: due.length,
        error: error instanceof Error ? error.message : String(error),
      });
      return;
    }
    stats.renewed += renewed.size;
    for (const id of due) {
      const k = kept.get(id);
      if (!k) continue;
      if (renewed.has(id)) k.extendedAt = Math.max(k.extendedAt, now.getTime());
      else {
        kept.delete(id);
        k.onLost();
      }
    }
  }

  const keeper: LeaseKeeper = {
    keep(debateId, onLost) {
      const entry = { extendedAt: p.clock.now().getTime(), onLost };
      kept.set(debateId, entry);
      arm();
      return () => {
        if (kept.get(debateId) === entry) kept.delete(debateId);
        if (kept.size === 0 && timer) {
          clearTimeout(timer);
          timer = undefined;
        }
      };
    },
    extended(debateId, at) {
      const k = kept.get(debateId);
      if (k) k.extendedAt = Math.max(k.extendedAt, at.getTime());
    },
    renewDue() {
      // One renewal at a time: a slow one is not overtaken by the next tick's.
      renewing ??= renew().finally(() => {
        renewing = undefined;
      });
      return renewing;
    },
    stats: () => ({ kept: kept.size, ...stats }),
    stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      kept.clear();
    },
  };
  return keeper;
}
