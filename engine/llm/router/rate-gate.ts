import { abortableSleep } from '../retry.ts';

/**
 * Holds a provider's calls after it answered 429: every call waits until the time the provider gave
 * (Retry-After or its rate-limit headers), instead of retrying blindly. One gate per provider.
 */
export interface RateGate {
  /** Resolves when calls may go; rejects with an 'aborted' LlmError when `signal` fires first. */
  wait(signal?: AbortSignal): Promise<void>;
  /** The provider asked for `ms` of quiet. */
  block(ms: number): void;
  /** Epoch ms until which calls wait, or null. */
  until(): number | null;
  hits(): number;
}

export interface RateGateOptions {
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export function createRateGate(opts: RateGateOptions = {}): RateGate {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? abortableSleep;
  let until = 0;
  let hits = 0;
  return {
    async wait(signal) {
      // Another 429 may arrive while we sleep: loop until the gate is open.
      for (let left = until - now(); left > 0; left = until - now()) await sleep(left, signal);
    },
    block(ms) {
      hits++;
      until = Math.max(until, now() + Math.max(0, ms));
    },
    until: () => (until > now() ? until : null),
    hits: () => hits,
  };
}

/**
 * How long a rate-limited answer asks to wait, in ms: `retry-after-ms`, `Retry-After` (seconds or an
 * HTTP date), else the longest `x-ratelimit-reset-*` (OpenAI's "1s", "6m0s", "250ms"). Undefined when none says.
 */
export function retryAfterMs(headers: Headers, nowMs: number): number | undefined {
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.has('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return ms;
  const after = headers.get('retry-after');
  if (after !== null) {
    const seconds = Number(after);
    if (after.trim() !== '' && Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(after);
    if (!Number.isNaN(date)) return Math.max(0, date - nowMs);
  }
  const resets = ['x-ratelimit-reset-requests', 'x-ratelimit-reset-tokens', 'x-ratelimit-reset']
    .map((name) => headers.get(name))
    .filter((v): v is string => v !== null)
    .map(parseDuration)
    .filter((v): v is number => v !== undefined);
  return resets.length > 0 ? Math.max(...resets) : undefined;
}

/** "6m0s", "1.5s", "250ms", "2" (seconds) → ms. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const parts = [...t.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== t) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
  return parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2] as keyof typeof unit], 0);
}
