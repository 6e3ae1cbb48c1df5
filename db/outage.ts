// Telling "the database is away" (a restart, a cut network, terminated backends) from every other
// failure, so a long-running process waits for it to come back instead of exiting (#13 item 2).

/** SQLSTATEs of a server that is restarting, shutting down or refusing connections for now. */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300']);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
const MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|connection timeout|Client has encountered a connection error|terminating connection|the database system is (starting up|shutting down|in recovery mode)|Client was closed and is not queryable|Postgres connection has been discarded/i;

/** True when `error` (or its cause) says the database could not be reached, not that a query was wrong. */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const e = error as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && (e.code.startsWith('08') || UNAVAILABLE_STATES.has(e.code))) return true;
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  if (typeof e.message === 'string' && MESSAGES.test(e.message)) return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => isDatabaseUnavailable(x, depth + 1))) return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}

/**
 * Runs `fn` until it succeeds or fails for a reason other than the database being away; while it
 * is away, waits (0.5 s, doubling up to `maxDelayMs`) and tries again, saying so once per outage.
 */
export async function retryWhileDatabaseDown<T>(
  what: string,
  fn: () => Promise<T>,
  opts: {
    warn: (message: string) => void;
    maxDelayMs?: number;
    sleep?: (ms: number) => Promise<void>;
  },
): Promise<T> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxDelayMs = opts.maxDelayMs ?? 5_000;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      if (attempt === 0)
        opts.warn(
          `${what}: the database is unreachable (${error instanceof Error ? error.message : String(error)}); retrying until it answers`,
        );
      await sleep(Math.min(maxDelayMs, 500 * 2 ** attempt));
    }
  }
}
