import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/config.ts';
import { type RunningArena, startArena } from '../../app/main.ts';
import { silentLogger } from '../../engine/log.ts';
import { type FakeOllamaServer, startOllamaServer } from '../fakes/ollama-server.ts';
import { cleanEnv, runArena } from '../helpers/cli.ts';

interface ErrorBody {
  error: { code: string; message: string };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// `npm start` on the embedded database with Ollama, which then stops before the server has called it:
// a new debate is refused before anything is created, from the API and from `arena debate` in another
// terminal (which goes through the server because the server holds the database).
describe('a running arena whose Ollama has stopped', { timeout: 240_000 }, () => {
  let ollama: FakeOllamaServer | undefined;
  let ollamaPort = 0;
  let arena: RunningArena;
  let dataDir: string;
  let base = '';

  beforeAll(async () => {
    ollama = await startOllamaServer({ chunkDelayMs: 5 });
    ollamaPort = Number(new URL(ollama.url).port);
    dataDir = await mkdtemp(path.join(tmpdir(), 'arena-provider-down-'));
    const config = loadConfig({
      DATA_DIR: dataDir,
      LLM_PROVIDER: 'ollama',
      OLLAMA_HOST: ollama.url,
      DASHBOARD_PORT: '0',
      DEBATE_ROUNDS: '1',
    });
    arena = await startArena({ config, log: silentLogger });
    base = arena.dashboardUrl!;
    // Stopped after the start, and no debate has called it since: the server has seen nothing fail.
    await ollama.close();
    ollama = undefined;
  }, 200_000);
  afterAll(async () => {
    await arena?.close();
    await ollama?.close().catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
  });

  const count = async (table: 'debate_sessions' | 'ideas') =>
    Number(
      (
        await arena.context.database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirst()
      )?.n,
    );
  const start = (idea: string) =>
    fetch(`${base}/api/debates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ idea, rounds: 1 }),
    });
  const where = () => `Ollama at http://127.0.0.1:${ollamaPort}`;

  it('POST /api/debates answers 503 saying what to do, creates nothing, and health shows the LLM failing', async () => {
    expect(await count('debate_sessions')).toBe(0);
    const res = await start('A seed library for apartment gardens');
    expect(res.status).toBe(503);
    // Waiting alone will not help: no Retry-After, the message says what to do.
    expect(res.headers.get('retry-after')).toBeNull();
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe('llm_unreachable');
    expect(body.error.message).toBe(
      `${where()} is not reachable: start it with \`ollama serve\`, or restart the arena with LLM_PROVIDER=offline for labelled drafts without a model`,
    );
    expect(await count('debate_sessions')).toBe(0);
    expect(await count('ideas')).toBe(0);
    const health = (await (await fetch(`${base}/api/health`)).json()) as {
      status: string;
      components: Array<{ id: string; status: string; lastError: string | null }>;
    };
    expect(health.status).toBe('degraded');
    expect(health.components.find((c) => c.id === 'llm')).toMatchObject({
      status: 'error',
      lastError: body.error.message,
    });
  });

  it('`arena debate` in another terminal fails in one line with what to do and exits 1, creating nothing', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'arena-provider-down-cli-'));
    try {
      const began = Date.now();
      const r = await runArena(['debate', 'A tool library for neighbours', '--rounds', '1'], {
        cwd,
        env: cleanEnv({ DATA_DIR: dataDir, DASHBOARD_PORT: new URL(base).port }),
      });
      // Not a timing target: a guard against the 43 s of retries this replaced.
      expect(Date.now() - began).toBeLessThan(30_000);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toBe(
        `arena: the running arena at ${base} cannot start a debate: ${where()} is not reachable: start it with \`ollama serve\`, or restart the arena with LLM_PROVIDER=offline for labelled drafts without a model`,
      );
      expect(r.stderr).not.toMatch(/resume|kept/);
      expect(await count('debate_sessions')).toBe(0);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });

  it('once Ollama is back, the next start is admitted within seconds', async () => {
    ollama = await startOllamaServer({ chunkDelayMs: 5, port: ollamaPort });
    // The last answer is reused for at most 3 s (a burst of starts asks once).
    await sleep(3_100);
    const res = await start('A rota for shared garden tools');
    expect(res.status, await res.clone().text()).toBe(201);
    const { debateId } = (await res.json()) as { debateId: string };
    expect(await count('debate_sessions')).toBe(1);
    await fetch(`${base}/api/debates/${debateId}/stop`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
  });
});
