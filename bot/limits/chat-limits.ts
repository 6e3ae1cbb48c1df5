import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import type { Logger } from '../../engine/log.ts';

/** How much one person may ask of the bot (CHAT_COMMANDS_PER_MINUTE, CHAT_MESSAGES_PER_MINUTE). */
export interface ChatLimitSettings {
  /** Slash commands and card buttons, per person per platform workspace. */
  commandsPerMinute: number;
  /** Messages joining a debate, per person per thread. */
  messagesPerMinute: number;
}

export type LimitCheck =
  | { ok: true }
  /** `notify`: the first refusal of this window (a notice in a thread is worth posting once). */
  | { ok: false; retryInMs: number; notify: boolean };

/** Per-person limits of the chat bot: in memory for one process, on Redis to share them. */
export interface ChatLimits {
  readonly settings: ChatLimitSettings;
  /** Counts one command (or button press) of the person behind `key`. */
  command(key: string): Promise<LimitCheck>;
  /** Counts one message of a person in a thread. */
  message(key: string): Promise<LimitCheck>;
}

/** The ioredis client the limits share between processes (rate-limiter-flexible's `storeClient`). */
export type LimitStore = ConstructorParameters<typeof RateLimiterRedis>[0]['storeClient'];

const WINDOW_S = 60;

/**
 * Fixed one-minute windows (rate-limiter-flexible). With a store the counts live in Redis, so every
 * bot process sees the same numbers; when Redis fails a command, the count falls back to this
 * process's memory (its insurance limiter) instead of letting everyone through or refusing everyone.
 */
export function createChatLimits(opts: {
  settings: ChatLimitSettings;
  store?: LimitStore;
  /** Redis key prefix; processes sharing it share the limits (default `arena:limit:`). */
  prefix?: string;
  log?: Logger;
}): ChatLimits {
  const prefix = opts.prefix ?? 'arena:limit:';
  const limiter = (name: string, points: number): RateLimiterAbstract => {
    const base = { points, duration: WINDOW_S, keyPrefix: `${prefix}${name}` };
    const memory = new RateLimiterMemory(base);
    if (!opts.store) return memory;
    return new RateLimiterRedis({
      ...base,
      storeClient: opts.store,
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory,
    });
  };
  const commands = limiter('cmd', opts.settings.commandsPerMinute);
  const messages = limiter('msg', opts.settings.messagesPerMinute);
  // One notice per person and thread and window: a refusal is said once, not per message.
  const notices = limiter('notice', 1);

  async function consume(l: RateLimiterAbstract, key: string, once = false): Promise<LimitCheck> {
    try {
      await l.consume(key);
      return { ok: true };
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) {
        // Neither Redis nor the fallback answered: a broken limiter must not silence the bot.
        opts.log?.warn('rate limit unavailable', { error: String(refusal) });
        return { ok: true };
      }
      const retryInMs = Math.max(1000, refusal.msBeforeNext);
      const notify = once && (await consume(notices, key)).ok;
      return { ok: false, retryInMs, notify };
    }
  }

  return {
    settings: opts.settings,
    command: (key) => consume(commands, key),
    message: (key) => consume(messages, key, true),
  };
}

/** The person-facing refusal: what the limit is and when to try again. */
export function slowDownText(o: { limit: number; what: string; retryInMs: number }): string {
  const seconds = Math.ceil(o.retryInMs / 1000);
  return `⏳ Slow down: at most ${o.limit} ${o.what} a minute per person. Try again in ${seconds} s.`;
}
