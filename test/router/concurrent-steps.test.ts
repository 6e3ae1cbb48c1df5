import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMessages } from '../../db/repositories/debate-messages.ts';
import { toHistory } from '../../engine/debate/history.ts';
import { createLlmRouter } from '../../engine/llm/router/router.ts';
import type { LlmProvider } from '../../engine/llm/types.ts';
import { createHarness } from '../engine/harness.ts';
import { createFakeLlm } from '../fakes/fake-llm.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

/** A fake model that records how many calls of each task overlap; later verdicts finish first. */
function overlapLlm() {
  const inner = createFakeLlm();
  const running = new Map<string, number>();
  const maxOverlap = new Map<string, number>();
  let verdictsStarted = 0;
  const llm: LlmProvider = {
    name: inner.name,
    models: inner.models,
    async chat(req, onDelta) {
      const task = req.metadata?.task ?? 'other';
      running.set(task, (running.get(task) ?? 0) + 1);
      maxOverlap.set(task, Math.max(maxOverlap.get(task) ?? 0, running.get(task)!));
      try {
        // The 1st verdict takes longest, the 8th shortest: completion order is the reverse of reading order.
        const wait = task === 'verdict' ? 400 - 40 * verdictsStarted++ : task === 'plan' ? 50 : 0;
        await new Promise((r) => setTimeout(r, wait));
        return await inner.chat(req, onDelta);
      } finally {
        running.set(task, running.get(task)! - 1);
      }
    },
  };
  return { llm, maxOverlap, inner };
}

describe('verdicts and plan sections run concurrently, committed once each in a stable order', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('pglite');
  });
  afterAll(() => t.dispose());

  it('overlaps the eight verdicts and the plan sections; the transcript reads in persona order', async () => {
    const fake = overlapLlm();
    const router = createLlmRouter({ provider: fake.llm, concurrency: 8 });
    const h = await createHarness(t.db, { llm: router });
    const { debateId } = await h.arena.startDebate({
      idea: 'A shared calendar for clinics',
      origin: 'test',
      rounds: 1,
    });
    await h.runner.run(debateId);

    expect(fake.maxOverlap.get('verdict')).toBe(8);
    expect(fake.maxOverlap.get('plan')).toBeGreaterThan(1);
    expect(fake.maxOverlap.get('turn') ?? 1).toBe(1); // divergence stays a conversation

    const history = toHistory(await listMessages(t.db, debateId));
    const verdicts = history.filter((e) => e.step?.kind === 'verdict').map((e) => e.agentId);
    const evaluators = h.personas.filter((p) => p.phase === 'convergence').map((p) => p.id);
    expect(verdicts).toEqual(evaluators); // once each, in the lineup's order, not completion order
    const sections = history.filter((e) => e.step?.kind === 'section');
    expect(new Set(sections.map((e) => e.agentId)).size).toBe(sections.length);
    expect(sections.length).toBe(h.personas.filter((p) => p.phase === 'planning' && p.planSection).length);
    // Turn indexes are contiguous: nothing skipped, nothing doubled.
    expect(history.map((e) => e.turnIndex)).toEqual(history.map((_, i) => i));
    // Events announce messages in the same order as the transcript.
    const announced = h.of('message.created', debateId).map((e) => e.message.turnIndex);
    expect(announced).toEqual([...announced].sort((a, b) => a - b));
    expect((await h.arena.getDebate(debateId))?.status).toBe('completed');
  });
});
