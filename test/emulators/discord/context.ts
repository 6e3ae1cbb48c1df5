import type { Gateway } from './gateway.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { Records } from './records.ts';
import type { RateLimitConfig } from './types.ts';
import type { World } from './world.ts';

/** Shared internals every route and helper of the emulator works on. */
export interface EmulatorContext {
  world: World;
  records: Records;
  gateway: Gateway;
  limiter: RateLimiter;
  nextId: () => string;
  now: () => number;
  token: string;
  /** `http://127.0.0.1:PORT`, known once the server listens. */
  baseUrl: () => string;
  rateLimits: RateLimitConfig;
  interactionDeadlineMs: number;
  /** Timers to clear on close. */
  timers: Set<NodeJS.Timeout>;
}

/** Gateway intent bits the emulator honours. */
export const Intent = {
  Guilds: 1 << 0,
  GuildMembers: 1 << 1,
  GuildWebhooks: 1 << 5,
  GuildMessages: 1 << 9,
  MessageContent: 1 << 15,
} as const;
