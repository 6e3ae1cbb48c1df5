import { DataDirLockedError } from '../../db/data-dir-lock.ts';
import type { ProviderMode } from '../../engine/llm/select.ts';
import { loadCatalog } from '../../personas/index.ts';
import type { Config } from '../config.ts';
import type { ArenaContext } from '../context.ts';
import { RuntimeFailure, UsageError } from '../errors.ts';
import { ollamaProblem } from '../provider-check.ts';
import { createCommandLog } from './command-log.ts';
import type { RemoteArena } from './debate-remote.ts';
import { findRunningServer } from './server-client.ts';

/**
 * What `arena debate` runs on: this process's own arena on the configured database; or, while a
 * running `arena start` holds the embedded database, that server (so the debate is kept and shows
 * in its dashboard); or, when that server has no dashboard to ask, a throwaway in-memory database,
 * said so on stderr. Warnings and errors go to `system_logs` as well.
 */
export async function openDebateArena(
  config: Config,
  opts: { provider?: string },
): Promise<ArenaContext | RemoteArena> {
  const provider = opts.provider as ProviderMode | undefined;
  // A usage mistake is found before anything is opened (a first start migrates for seconds).
  if (provider === 'openai' && !config.OPENAI_BASE_URL)
    throw new UsageError(
      '--provider openai: set OPENAI_BASE_URL to the API base URL (e.g. http://127.0.0.1:8000/v1)',
    );
  // Ollama asked for by name and not there: said in a second, before a database is opened or created.
  if ((provider ?? config.LLM_PROVIDER) === 'ollama') {
    const problem = await ollamaProblem(config.OLLAMA_HOST);
    if (problem) throw new RuntimeFailure(problem);
  }
  const { openArenaContext } = await import('../context.ts');
  const open = (extra: { lockedError?: boolean; memoryIfLocked?: boolean }) => {
    const commandLog = createCommandLog(config);
    return openArenaContext(config, commandLog.log, {
      ...(provider ? { provider } : {}),
      ...extra,
      systemLogs: commandLog,
    });
  };
  try {
    return await open({ lockedError: true });
  } catch (error) {
    if (!(error instanceof DataDirLockedError)) throw error;
    const server = await findRunningServer(config);
    if (!server) return open({ memoryIfLocked: true });
    if (provider)
      throw new UsageError(
        `--provider: the running arena at ${server.url} runs the debate on its own model; leave --provider out, or stop it first`,
      );
    const personas = await loadCatalog({ extraDir: config.PERSONAS_DIR });
    return { server, personas, close: async () => {} };
  }
}
