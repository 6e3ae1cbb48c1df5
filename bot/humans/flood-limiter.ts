export type FloodCheck =
  | { ok: true }
  | { ok: false; retryInMs: number /** First refusal in this window. */; notify: boolean };

/** Sliding-window limit per key (a person in a thread): `burst` messages per `windowMs`. */
export function createFloodLimiter(opts: { burst: number; windowMs: number }) {
  const seen = new Map<string, { times: number[]; notifiedAt: number | null }>();
  return {
    check(key: string, now: number): FloodCheck {
      const entry = seen.get(key) ?? { times: [], notifiedAt: null };
      entry.times = entry.times.filter((t) => now - t < opts.windowMs);
      if (entry.notifiedAt !== null && now - entry.notifiedAt >= opts.windowMs) entry.notifiedAt = null;
      seen.set(key, entry);
      if (entry.times.length < opts.burst) {
        entry.times.push(now);
        return { ok: true };
      }
      const retryInMs = opts.windowMs - (now - entry.times[0]!);
      const notify = entry.notifiedAt === null;
      if (notify) entry.notifiedAt = now;
      return { ok: false, retryInMs, notify };
    },
    /** Drops keys with no recent activity. */
    prune(now: number): void {
      for (const [key, entry] of seen) {
        if (entry.times.every((t) => now - t >= opts.windowMs)) seen.delete(key);
      }
    },
  };
}

export type FloodLimiter = ReturnType<typeof createFloodLimiter>;
