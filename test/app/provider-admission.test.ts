import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProviderAdmission } from '../../app/provider-admission.ts';
import { ollamaProblem, providerProblem, SERVER_OFFLINE } from '../../app/provider-check.ts';
import { createArena } from '../../engine/arena.ts';
import { createMemoryBus } from '../../engine/bus/memory-bus.ts';
import { createOllamaProvider } from '../../engine/llm/ollama.ts';
import { silentLogger } from '../../engine/log.ts';
import { builtinCatalog } from '../../personas/index.ts';
import { committingBus, startBot } from '../bot/harness.ts';
import { createMemoryPlatform } from '../bot/memory-platform.ts';
import { createFixedClock } from '../fakes/fixed-clock.ts';
import { startOllamaServer } from '../fakes/ollama-server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

describe('the provider admission asked before a debate is created', () => {
  it('asks once for a burst of starts, reuses the answer for a few seconds, then asks again', async () => {
    const clock = createFixedClock();
    let asked = 0;
    let problem: string | null = 'Ollama at http://127.0.0.1:1 is not reachable: start it';
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const seen: string[] = [];
    const admit = createProviderAdmission({
      problem: async () => {
        asked++;
        await gate;
        return problem;
      },
      clock,
      onProblem: (p) => seen.push(p),
    });
    // Five starts at once while the provider is being asked: one question, one answer for all.
    const burst = Array.from({ length: 5 }, () => admit());
    release();
    const answers = await Promise.all(burst);
    expect(asked).toBe(1);
    for (const a of answers) expect(a).toEqual({ ok: false, reason: 'llm_unreachable', detail: problem });
    expect(seen).toEqual([problem]);
    // Within the next few seconds the answer stands, even if the provider came back meanwhile.
    problem = null;
    clock.advance(2_000);
    expect((await admit()).ok).toBe(false);
    expect(asked).toBe(1);
    // Later it is asked again, and a provider that answers now admits.
    clock.advance(1_500);
    expect(await admit()).toEqual({ ok: true });
    expect(asked).toBe(2);
    expect(seen).toHaveLength(1);
  });

  it('says where the provider is and what to do, never the credentials in its address', async () => {
    const host = 'http://arena:s3cr3t-pass@127.0.0.1:1';
    const direct = await ollamaProblem(host, SERVER_OFFLINE);
    const viaProvider = await providerProblem(
      createOllamaProvider({ host: 'http://127.0.0.1:1', timeoutMs: 5_000, log: silentLogger }),
      'ollama',
      { ollamaHost: host, fallback: SERVER_OFFLINE },
    );
    for (const message of [direct, viaProvider]) {
      expect(message).toMatch(/^Ollama at http:\/\/arena:\*\*\*@127\.0\.0\.1:1 is not reachable: /);
      expect(message).toContain('`ollama serve`');
      expect(message).toContain('LLM_PROVIDER=offline');
      expect(message).not.toContain('s3cr3t');
    }
  });

  it('a provider with no model is refused too; one with a model is admitted', async () => {
    const ollama = await startOllamaServer({ models: [] });
    try {
      expect(await ollamaProblem(ollama.url)).toMatch(/has no model installed: run `ollama pull /);
      ollama.models.push('qwen2.5:3b');
      expect(await ollamaProblem(ollama.url)).toBeNull();
    } finally {
      await ollama.close();
    }
  });
});

// The chat path shares the engine's admission: refused privately, before a thread is opened.
describe('chat /arena start while the model provider is down', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('pglite');
  });
  afterAll(() => t.dispose());

  it('gets a private refusal saying what to do, and opens no thread and creates no debate', async () => {
    const personas = await builtinCatalog();
    const host = 'http://127.0.0.1:1';
    const llm = createOllamaProvider({ host, timeoutMs: 60_000, log: silentLogger });
    const bus = committingBus(t.db, createMemoryBus());
    const { arena, runner } = createArena({
      db: t.db,
      llm,
      bus,
      clock: { now: () => new Date() },
      personas,
      log: silentLogger,
      instanceId: 'chat-provider-down',
      admit: createProviderAdmission({
        problem: () => providerProblem(llm, 'ollama', { ollamaHost: host, fallback: SERVER_OFFLINE }),
        clock: { now: () => new Date() },
      }),
    });
    const mem = createMemoryPlatform();
    const bot = startBot({ platform: mem.platform, arena, bus, db: t.db, personas });
    await bot.start();
    try {
      const out = await mem.command({ subcommand: 'start', options: { idea: 'A seed swap for balconies' } });
      expect(out.replies).toHaveLength(1);
      expect(out.replies[0]!.ok).toBe(false);
      expect(out.replies[0]!.text).toMatch(
        /^The arena cannot start a debate now: Ollama at http:\/\/127\.0\.0\.1:1 is not reachable: start it with `ollama serve`/,
      );
      expect(out.replies[0]!.text).not.toMatch(/busy|Try again/);
      expect(mem.threads).toHaveLength(0);
      expect(mem.posts).toHaveLength(0);
      expect(await arena.listDebates()).toHaveLength(0);
    } finally {
      await bot.stop();
      await runner.stop();
    }
  });
});
