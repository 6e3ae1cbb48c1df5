import type { Logger } from '../log.ts';
import { LlmError } from './types.ts';

/** How a provider retries a failed call; `sleep` is injectable so tests do not wait. */
export interface RetryPolicy {
  /** Extra attempts after the first. */
  retries: number;
  /** First backoff; doubles per attempt up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** 0..1; the backoff is scaled by 0.5 + random/2 so many debates do not retry in lockstep. */
  random: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  retries: 3,
  baseDelayMs: 250,
  maxDelayMs: 5_000,
  sleep: abortableSleep,
  random: Math.random,
};

export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return { ...DEFAULT_RETRY, ...defined };
}

/**
 * Retries only what can be redone exactly: 5xx/429 and connection failures before any delta was
 * streamed. A partial stream fails as a retryable LlmError so the caller can redo the whole turn.
 */
export function isRetryable(err: unknown): err is LlmError {
  return (
    err instanceof LlmError &&
    err.retryable &&
    !err.partial &&
    (err.code === 'server_error' || err.code === 'connection' || err.code === 'rate_limited')
  );
}

export async function withRetries<T>(
  policy: RetryPolicy,
  ctx: { log: Logger; signal?: AbortSignal | undefined; what: string },
  run: (attempt: number) => Promise<T>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await run(attempt);
    } catch (err) {
      if (!isRetryable(err) || attempt >= policy.retries) throw err;
      // A 429 says how long to wait (the provider's rate gate holds every call that long); else back off.
      const delay =
        err.code === 'rate_limited' && err.retryAfterMs !== undefined
          ? 0
          : Math.round(
              Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt) * (0.5 + policy.random() / 2),
            );
      ctx.log.warn(`${ctx.what} failed; retrying`, {
        attempt: attempt + 1,
        of: policy.retries,
        delayMs: delay,
        error: err.message,
      });
      await policy.sleep(delay, ctx.signal);
    }
  }
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new LlmError('aborted', 'aborted', false));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new LlmError('aborted', 'aborted', false));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
