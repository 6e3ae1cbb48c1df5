import { z } from 'zod';
import type { Config } from '../config.ts';
import { UsageError } from '../errors.ts';

/**
 * What one `arena start` process runs. `all` is everything in one process (the default, and the
 * only choice on embedded PGlite); the others split the arena across processes sharing Postgres.
 */
export const ROLES = ['all', 'web', 'bot', 'worker'] as const;
export type Role = (typeof ROLES)[number];

export const roleSchema = z.enum(ROLES);

/** The parts of the arena a role turns on. */
export interface RolePlan {
  role: Role;
  /** The dashboard HTTP server (and Slack's /slack/events receiver in HTTP mode). */
  web: boolean;
  /** Chat platforms: the gateway/socket (one leader per platform) and delivery into threads. */
  bot: boolean;
  /** The debate runner and the scheduled jobs. */
  worker: boolean;
}

export function planRole(role: Role): RolePlan {
  return {
    role,
    web: role === 'all' || role === 'web',
    bot: role === 'all' || role === 'bot',
    worker: role === 'all' || role === 'worker',
  };
}

/**
 * The role from `--role` (wins) or ARENA_ROLE, refused when it cannot work: the embedded database
 * belongs to one process, so a split needs a shared Postgres.
 */
export function resolveRole(
  flag: string | undefined,
  config: Pick<Config, 'ARENA_ROLE' | 'DATABASE_URL'>,
): Role {
  let role: Role = config.ARENA_ROLE;
  if (flag !== undefined) {
    const parsed = roleSchema.safeParse(flag.trim());
    if (!parsed.success)
      throw new UsageError(`--role: expected one of ${ROLES.join(', ')} (got "${flag.slice(0, 40)}")`);
    role = parsed.data;
  }
  if (role !== 'all' && !config.DATABASE_URL) {
    throw new UsageError(
      `--role ${role} needs DATABASE_URL: the embedded PGlite database belongs to one process, so web, bot and worker can only run apart on a shared Postgres (use --role all, the default, or set DATABASE_URL)`,
    );
  }
  return role;
}
