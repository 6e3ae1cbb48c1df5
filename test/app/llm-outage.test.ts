import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/config.ts';
import { type RunningArena, startArena } from '../../app/main.ts';
import { silentLogger } from '../../engine/log.ts';
import { type FakeOllamaServer, startOllamaServer } from '../fakes/ollama-server.ts';
import { createAppDatabase, type TestDatabase } from '../helpers/db.ts';

interface HealthBody {
  status: string;
  components: Array<{ id: string; status: string; lastError: string | null; since: string | null }>;
}

// The whole app as `arena start` wires it, with Ollama going away under a running debate.
describe('an LLM outage', { timeout: 120_000 }, () => {
  let ollama: FakeOllamaServer;
  let arena: RunningArena;
  let dataDir: string;
  let pg: TestDatabase | undefined;

  beforeAll(async () => {
    ollama = await startOllamaServer({ chunkDelayMs: 5 });
    dataDir = await mkdtemp(path.join(tmpdir(), 'arena-outage-'));
    pg = await createAppDatabase(dataDir);
    const config = loadConfig({
      ...(pg?.url ? { DATABASE_URL: pg.url } : { DATA_DIR: dataDir }),
      LLM_PROVIDER: 'ollama',
      OLLAMA_HOST: ollama.url,
      DASHBOARD_PORT: '0',
      DEBATE_ROUNDS: '1',
    });
    arena = await startArena({ config, log: silentLogger });
  });
  afterAll(async () => {
    await arena?.close();
    await ollama?.close().catch(() => {});
    await pg?.dispose();
    await rm(dataDir, { recursive: true, force: true });
  });

  const health = async (): Promise<HealthBody> =>
    (await fetch(`${arena.dashboardUrl}/api/health`)).json() as Promise<HealthBody>;

  it('shows in /api/health and PROCESSES: the failing component, its last error, since when', async () => {
    expect((await health()).status).toBe('ok');
    const before = Date.now();
    // Admitted (Ollama answers), then every call fails from now on, as when Ollama stops mid-debate.
    await arena.context.arena.startDebate({ idea: 'A tool library for neighbours', origin: 'cli' });
    ollama.failNext(10_000, 'destroy');
    let body: HealthBody | undefined;
    for (let i = 0; i < 150; i++) {
      body = await health();
      if (body.components.find((c) => c.id === 'llm')?.status === 'error') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const llm = body!.components.find((c) => c.id === 'llm')!;
    expect(body!.status).toBe('degraded');
    expect(llm.status).toBe('error');
    expect(llm.lastError).toBeTruthy();
    expect(Date.parse(llm.since!)).toBeGreaterThanOrEqual(before - 1000);
    // The page's snapshot carries the same component, and says DEGRADED.
    const state = (await (await fetch(`${arena.dashboardUrl}/api/state`)).json()) as {
      system: { status: string };
      components: HealthBody['components'];
    };
    expect(state.system.status).toBe('degraded');
    expect(state.components.find((c) => c.id === 'llm')).toMatchObject({
      status: 'error',
      since: llm.since,
    });
  });
});
