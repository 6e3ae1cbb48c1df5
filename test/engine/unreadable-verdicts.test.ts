import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDebateRow } from '../../db/repositories/debates.ts';
import { getIdea } from '../../db/repositories/ideas.ts';
import { decideOutcome } from '../../engine/debate/plan/outcome.ts';
import { createFakeLlm } from '../fakes/fake-llm.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';
import { createHarness } from './harness.ts';

const verdict = (score: number) => ({ score, strengths: [], risks: [], conditions: [] });

describe('decideOutcome', () => {
  it('decides nothing when too few verdicts could be read, whatever the cycle', () => {
    expect(decideOutcome([null, null, null, null], 1).outcome).toBe('unreadable');
    expect(decideOutcome([null, null, null, null], 2).outcome).toBe('unreadable');
    expect(decideOutcome([verdict(2), verdict(2), null, null, null], 2)).toMatchObject({
      outcome: 'unreadable',
      valid: 2,
      total: 5,
    });
    // Fewer evaluators than MIN_VALID_VERDICTS: all of them readable is enough.
    expect(decideOutcome([verdict(8), verdict(9)], 1).outcome).toBe('selected');
    expect(decideOutcome([verdict(3), verdict(3), verdict(3)], 1).outcome).toBe('rejected');
  });
});

describe.each(testDialects())('unreadable verdicts on %s', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(() => t.dispose());

  it('re-asks a model that ignores plain JSON mode with the verdict schema as format, and decides', async () => {
    const llm = createFakeLlm({
      respond: (req) =>
        req.metadata?.task === 'verdict' && !req.options?.jsonSchema ? 'Great idea! 9/10' : undefined,
    });
    const h = await createHarness(t.db, { llm });
    const { debateId } = await h.arena.startDebate({ idea: 'a seed library app', origin: 'test', rounds: 1 });
    expect(await h.runner.run(debateId)).toBe('completed');
    const verdictCalls = llm.calls.filter((c) => c.meta?.task === 'verdict');
    expect(verdictCalls).toHaveLength(16);
    const strict = verdictCalls.filter((c) => c.request.options?.jsonSchema);
    expect(strict).toHaveLength(8);
    expect(strict[0]!.request.options?.jsonSchema).toMatchObject({
      name: 'verdict',
      schema: { required: ['score', 'strengths', 'risks', 'conditions'] },
    });
    const d = (await h.arena.getDebate(debateId))!;
    expect(d.messages.filter((m) => m.metadata?.unparseable)).toHaveLength(0);
    expect(d.outcome).toBe('selected');
  });

  it('never rejects an idea the evaluators could not be read on: pauses saying so, resume asks them again', async () => {
    let broken = true;
    const llm = createFakeLlm({
      respond: (req) => {
        const m = req.metadata;
        if (m?.task !== 'verdict') return undefined;
        // One evaluator can write JSON; the rest cannot until the model is fixed.
        if (m.personaId === 'vc_aggressive' || !broken) return undefined;
        return 'I would rate this highly, maybe nine.';
      },
    });
    const h = await createHarness(t.db, { llm });
    const { debateId, ideaId } = await h.arena.startDebate({
      idea: 'a tool library for neighbours',
      origin: 'test',
      rounds: 1,
    });
    expect(await h.runner.run(debateId)).toBe('paused');

    const row = (await getDebateRow(t.db, debateId))!;
    expect(row).toMatchObject({ status: 'paused', pause_reason: 'evaluators_unreadable', outcome: null });
    expect((await getIdea(t.db, ideaId))?.status).toBe('in_debate');
    const d = (await h.arena.getDebate(debateId))!;
    const note = d.messages.find((m) => m.metadata?.decision)!;
    expect(note.metadata?.decision).toMatchObject({ outcome: 'unreadable', valid: 1, total: 8 });
    expect(note.content).toMatch(/evaluators could not be read .*not a verdict on the idea/s);
    expect(d.messages.some((m) => m.type === 'plan')).toBe(false);
    // No refinement round was started on risks nobody named.
    expect(d.messages.filter((m) => m.type === 'summary' && !m.metadata?.decision)).toHaveLength(1);
    expect(h.of('debate.paused', debateId).map((e) => e.reason)).toEqual(['evaluators_unreadable']);

    broken = false;
    const before = llm.count({ task: 'verdict', personaId: 'vc_aggressive' });
    expect(await h.arena.resume(debateId)).toEqual({ ok: true });
    expect(await h.runner.run(debateId)).toBe('completed');
    // The readable verdict stands; only the unreadable evaluators were asked again.
    expect(llm.count({ task: 'verdict', personaId: 'vc_aggressive' })).toBe(before);
    expect(llm.count({ task: 'verdict', personaId: 'vc_conservative' })).toBe(3);
    const after = (await h.arena.getDebate(debateId))!;
    const decisions = after.messages.flatMap((m) =>
      m.metadata?.decision ? [(m.metadata.decision as { outcome: string }).outcome] : [],
    );
    expect(decisions).toEqual(['unreadable', 'selected']);
    expect(after.outcome).toBe('selected');
    expect((await getIdea(t.db, ideaId))?.status).toBe('planned');
  });
});
