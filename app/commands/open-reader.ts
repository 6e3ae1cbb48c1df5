import { DataDirLockedError } from '../../db/data-dir-lock.ts';
import type { Arena } from '../../engine/api.ts';
import type { Logger } from '../../engine/log.ts';
import type { Config } from '../config.ts';
import { RuntimeFailure } from '../errors.ts';

/** What the read commands (`debates list|show|export`) need. */
export type DebateReader = Pick<Arena, 'listDebates' | 'getDebate'>;

export interface OpenedReader {
  arena: DebateReader;
  /** Where the answers come from, for a note on stderr. */
  via: 'database' | 'server';
  close(): Promise<void>;
}

/**
 * The debates, from the database; or, while a running `arena start` holds the embedded database,
 * through that server's HTTP API. Never from an empty stand-in database: a read command either
 * tells the truth or refuses. No model is probed.
 */
export async function openForReading(config: Config, log: Logger): Promise<OpenedReader> {
  const { openArenaContext } = await import('../context.ts');
  try {
    const ctx = await openArenaContext(config, log, { provider: 'offline', lockedError: true });
    return { arena: ctx.arena, via: 'database', close: ctx.close };
  } catch (error) {
    if (!(error instanceof DataDirLockedError)) throw error;
    const url = dashboardAddress(config);
    if (await answers(url)) return { arena: httpReader(url), via: 'server', close: async () => {} };
    throw new RuntimeFailure(
      `${error.message}; its dashboard at ${url} does not answer, so the debates cannot be read through it`,
    );
  }
}

/** The running server's own address, from the same settings it started with. */
export function dashboardAddress(config: Config): string {
  const h = config.DASHBOARD_HOST;
  const host = h === '0.0.0.0' ? '127.0.0.1' : h === '::' ? '[::1]' : h.includes(':') ? `[${h}]` : h;
  return `http://${host}:${config.DASHBOARD_PORT}`;
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return res.status === 200 || res.status === 503;
  } catch {
    return false;
  }
}

function httpReader(base: string): DebateReader {
  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`, { headers: { accept: 'application/json' } });
    if (res.status === 404) return null;
    if (!res.ok) throw new RuntimeFailure(`the running arena answered ${res.status} for ${path}`);
    return res.json() as Promise<Record<string, unknown>>;
  };
  return {
    async listDebates(filter = {}) {
      const q = new URLSearchParams();
      if (filter.status) q.set('status', filter.status);
      if (filter.limit) q.set('limit', String(filter.limit));
      const body = await get(`/api/debates?${q}`);
      return (body?.debates ?? []) as Awaited<ReturnType<Arena['listDebates']>>;
    },
    async getDebate(id) {
      const body = await get(`/api/debates/${encodeURIComponent(id)}`);
      return (body?.debate ?? null) as Awaited<ReturnType<Arena['getDebate']>>;
    },
  };
}
