import { DataDirLockedError } from '../../db/data-dir-lock.ts';
import type { Arena } from '../../engine/api.ts';
import type { Logger } from '../../engine/log.ts';
import type { Config } from '../config.ts';
import { RuntimeFailure } from '../errors.ts';
import { type ArenaServer, dashboardAddress, findRunningServer } from './server-client.ts';

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
    const server = await findRunningServer(config);
    if (server) return { arena: httpReader(server), via: 'server', close: async () => {} };
    throw new RuntimeFailure(
      `${error.message}; its dashboard at ${dashboardAddress(config)} does not answer, so the debates cannot be read through it`,
    );
  }
}

function httpReader(server: ArenaServer): DebateReader {
  return {
    async listDebates(filter = {}) {
      const q = new URLSearchParams();
      if (filter.status) q.set('status', filter.status);
      if (filter.limit) q.set('limit', String(filter.limit));
      const body = await server.get<{ debates: Awaited<ReturnType<Arena['listDebates']>> }>(
        `/api/debates?${q}`,
      );
      return body.debates;
    },
    async getDebate(id) {
      const body = await server.find<{ debate: Awaited<ReturnType<Arena['getDebate']>> }>(
        `/api/debates/${encodeURIComponent(id)}`,
      );
      return body?.debate ?? null;
    },
  };
}
