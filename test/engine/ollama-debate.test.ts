import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOllamaProvider } from '../../engine/llm/ollama.ts';
import { silentLogger } from '../../engine/log.ts';
import { createFixedClock } from '../fakes/fixed-clock.ts';
import { type FakeOllamaServer, type OllamaChatBody, startOllamaServer } from '../fakes/ollama-server.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';
import { createHarness } from './harness.ts';

describe.each(testDialects())('a debate against an Ollama-protocol server on %s', (dialect) => {
  let t: TestDatabase;
  let server: FakeOllamaServer;
  const counts = new WeakMap<OllamaChatBody, { prompt: number; completion: number }>();
  let served = 0;

  beforeAll(async () => {
    served = 0;
    t = await createTestDatabase(dialect);
    // phi4:14b and llama3.3:70b, which some personas ask for, are not installed.
    server = await startOllamaServer({
      models: ['qwen2.5:14b', 'qwen2.5:32b', 'llama3.2:3b'],
      responder: (body) => {
        served++;
        // Unusual counts, so the test can tell the server's numbers from any estimate.
        const c = { prompt: 1000 + served, completion: 17 + (served % 5) };
        counts.set(body, c);
        if (served === 6) server.failNext(2, 500); // the provider retries these
        if (served === 12) server.failNext(2, { afterChunks: 1 }); // cut mid-stream: the engine redoes the turn
        const text = body.format
          ? JSON.stringify({ score: 8, strengths: ['clear need'], risks: ['custody'], conditions: ['audit'] })
          : `${body.model} says something about turn ${served}.`;
        return { text, promptTokens: c.prompt, completionTokens: c.completion };
      },
    });
  });
  afterAll(async () => {
    await server.close();
    await t.dispose();
  });

  it('runs all three phases with the real client, records the server token counts exactly, falls back, survives failures', async () => {
    const llm = createOllamaProvider({
      host: server.url,
      timeoutMs: 10_000,
      log: silentLogger,
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
    });
    server.failNext(1, 'destroy');
    const clock = createFixedClock('2026-09-09T09:00:00Z');
    const h = await createHarness(t.db, { llm, clock });
    const { debateId } = await h.arena.startDebate({
      idea: 'a wallet app for DAOs',
      origin: 'test',
      rounds: 1,
    });
    expect(await h.runner.run(debateId)).toBe('completed');

    const d = (await h.arena.getDebate(debateId))!;
    expect(d.outcome).toBe('selected');
    expect(h.of('phase.changed', debateId).map((e) => e.phase)).toEqual([
      'divergence',
      'convergence',
      'planning',
    ]);
    expect(d.messages.map((m) => m.turnIndex)).toEqual(d.messages.map((_, i) => i));

    const chats = server.chatRequests();
    expect(chats.some((r) => r.outcome === 'failed')).toBe(true);
    const completed = chats.filter((r) => r.outcome === 'completed').map((r) => counts.get(r.body!)!);
    const sum = (k: 'prompt' | 'completion') => completed.reduce((n, c) => n + c[k], 0);
    expect(d.promptTokens).toBe(sum('prompt'));
    expect(d.completionTokens).toBe(sum('completion'));
    for (const m of d.messages.filter((x) => x.model)) {
      expect(m.promptTokens).toBeGreaterThan(1000);
      expect(m.completionTokens).toBeGreaterThanOrEqual(17);
    }
    const usage = await t.db
      .selectFrom('api_usage')
      .select(['model', sql<number>`input_tokens`.as('input'), sql<number>`output_tokens`.as('output')])
      .where('date', '=', '2026-09-09')
      .where('provider', '=', 'ollama')
      .execute();
    expect(usage.reduce((n, u) => n + Number(u.input), 0)).toBe(sum('prompt'));
    expect(usage.reduce((n, u) => n + Number(u.output), 0)).toBe(sum('completion'));

    // Personas whose model is missing spoke through the first installed fallback.
    const byAgent = (id: string) => d.messages.find((m) => m.agentId === id);
    const phi4 = h.personas
      .filter((p) => p.model === 'phi4:14b')
      .map((p) => byAgent(p.id))
      .filter((m) => m !== undefined);
    expect(phi4.length).toBeGreaterThan(0);
    for (const m of phi4) expect(m.model).toBe('qwen2.5:14b');
    expect(byAgent('vc_aggressive')?.model).toBe('qwen2.5:32b');
    expect(usage.map((u) => u.model).sort()).not.toContain('phi4:14b');

    // Verdicts were asked as JSON, turns with a token cap.
    const verdictReq = chats.find((r) => r.body?.format === 'json')!;
    expect(verdictReq.body?.options?.num_predict).toBe(400);
  });
});
