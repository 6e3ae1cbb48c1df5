import type { RateLimitRule } from './types.ts';

/** The outcome of asking for room in one or more buckets. */
export type TakeResult =
  | { allowed: true; state: BucketState }
  | { allowed: false; state: BucketState; blockedBy: string };

export interface BucketState {
  limit: number;
  remaining: number;
  resetAt: number;
}

/** Fixed-window counters keyed by bucket; `take` consumes from all given buckets or from none. */
export interface RateLimiter {
  take(buckets: { key: string; rule: RateLimitRule }[]): TakeResult;
  reset(): void;
}

export function createRateLimiter(now: () => number = Date.now): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  const windowOf = (key: string, rule: RateLimitRule) => {
    const t = now();
    let w = windows.get(key);
    if (!w || t >= w.start + rule.windowMs) {
      w = { start: t, count: 0 };
      windows.set(key, w);
    }
    return w;
  };
  const stateOf = (key: string, rule: RateLimitRule): BucketState => {
    const w = windowOf(key, rule);
    return {
      limit: rule.limit,
      remaining: Math.max(0, rule.limit - w.count),
      resetAt: w.start + rule.windowMs,
    };
  };
  return {
    take(buckets) {
      for (const b of buckets) {
        const w = windowOf(b.key, b.rule);
        if (w.count >= b.rule.limit)
          return { allowed: false, state: stateOf(b.key, b.rule), blockedBy: b.key };
      }
      for (const b of buckets) windowOf(b.key, b.rule).count++;
      const first = buckets[0];
      const state = first ? stateOf(first.key, first.rule) : { limit: 0, remaining: 0, resetAt: now() };
      return { allowed: true, state };
    },
    reset() {
      windows.clear();
    },
  };
}

/** Discord's X-RateLimit-* headers for a bucket state (times in seconds, as floats). */
export function rateLimitHeaders(props: {
  state: BucketState;
  bucket: string;
  now: number;
  retryAfterMs?: number;
  scope?: 'user' | 'shared';
}): Record<string, string> {
  const resetAfter = Math.max(0, props.state.resetAt - props.now) / 1000;
  const headers: Record<string, string> = {
    'X-RateLimit-Limit': String(props.state.limit),
    'X-RateLimit-Remaining': String(props.state.remaining),
    'X-RateLimit-Reset': (props.state.resetAt / 1000).toFixed(3),
    'X-RateLimit-Reset-After': resetAfter.toFixed(3),
    'X-RateLimit-Bucket': props.bucket,
  };
  if (props.retryAfterMs !== undefined) {
    headers['Retry-After'] = (props.retryAfterMs / 1000).toFixed(3);
    headers['X-RateLimit-Scope'] = props.scope ?? 'user';
  }
  return headers;
}
