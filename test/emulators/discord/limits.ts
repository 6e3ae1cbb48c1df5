import type { EmulatorContext } from './context.ts';
import type { Reply } from './discord-errors.ts';
import { rateLimitHeaders } from './rate-limiter.ts';
import type { RateLimitRule } from './types.ts';

/**
 * Spends one request from `advertised` (reported in X-RateLimit-* headers) and `hidden` (not reported
 * until hit, like Discord's shared limits). Over either, answers 429 with `retry_after` and records it.
 */
export function spendRateLimit(
  ctx: EmulatorContext,
  props: {
    method: string;
    path: string;
    advertised: { key: string; rule: RateLimitRule; bucket: string };
    hidden?: { key: string; rule: RateLimitRule };
  },
): { ok: true; headers: Record<string, string> } | { ok: false; reply: Reply } {
  const now = ctx.now();
  const buckets = props.hidden ? [props.advertised, props.hidden] : [props.advertised];
  const result = ctx.limiter.take(buckets);
  if (result.allowed) {
    return {
      ok: true,
      headers: rateLimitHeaders({ state: result.state, bucket: props.advertised.bucket, now }),
    };
  }
  const scope = result.blockedBy === props.advertised.key ? 'user' : 'shared';
  const retryAfterMs = Math.max(1, result.state.resetAt - now);
  // Remaining 0 with the wait as Reset-After makes @discordjs/rest hold the whole queue (order kept)
  // instead of treating the 429 as a sublimit and letting later requests overtake.
  const headers = rateLimitHeaders({
    state: { limit: props.advertised.rule.limit, remaining: 0, resetAt: result.state.resetAt },
    bucket: props.advertised.bucket,
    now,
    retryAfterMs,
    scope,
  });
  const retryAfter = Number((retryAfterMs / 1000).toFixed(3));
  ctx.records.rateLimitHits.push({
    method: props.method,
    path: props.path,
    bucket: result.blockedBy,
    scope,
    retryAfter,
    time: now,
  });
  ctx.records.violation({
    kind: 'rate-limit',
    method: props.method,
    path: props.path,
    message: `429 on ${result.blockedBy} (retry after ${retryAfter}s)`,
  });
  return {
    ok: false,
    reply: {
      status: 429,
      headers,
      body: { message: 'You are being rate limited.', retry_after: retryAfter, global: false },
    },
  };
}

/** Runs `run` when the rate limit allows, adding the bucket headers; otherwise answers the 429. */
export function limitedRequest(
  ctx: EmulatorContext,
  props: Parameters<typeof spendRateLimit>[1] & { run: () => Reply },
): Reply {
  const spent = spendRateLimit(ctx, props);
  if (!spent.ok) return spent.reply;
  const reply = props.run();
  return { ...reply, headers: { ...spent.headers, ...reply.headers } };
}
