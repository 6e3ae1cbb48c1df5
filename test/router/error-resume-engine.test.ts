import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LlmError } from '../../engine/llm/types.ts';
import { createHarness } from '../engine/harness.ts';
import { createFakeLlm } from '../fakes/fake-llm.ts';
import { createFixedClock } from '../fakes/fixed-clock.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';

// The runner's poll lifts an `error` pause by itself once its backoff is over (fake clock): the
// model server was down, it is back, the debate goes on without anyone pressing resume.
describe.each(testDialects())('an error pause resumes by itself on %s', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(() => t.dispose());

  it('stays paused during the 30 s backoff, then the runner resumes it and it completes', async () => {
    let down = true;
    const llm = createFakeLlm({
      respond: () => (down ? new LlmError('connection refused', 'connection', true) : undefined),
    });
    const clock = createFixedClock('2026-12-02T04:00:00Z');
    const h = await createHarness(t.db, { llm, clock, settings: { pollMs: 10 } });
    const { debateId } = await h.arena.startDebate({
      idea: 'a wallet app for DAOs',
      origin: 'test',
      rounds: 1,
    });
    expect(await h.runner.run(debateId)).toBe('paused');
    expect(await h.arena.getDebate(debateId)).toMatchObject({ status: 'paused', pauseReason: 'error' });

    down = false;
    const resumed = new Promise<void>((resolve) =>
      h.bus.subscribe((e) => e.type === 'debate.resumed' && e.debateId === debateId && resolve()),
    );
    await h.runner.start();
    try {
      // Inside the backoff: polls run, the pause holds.
      clock.advance(29_000);
      await new Promise((r) => setTimeout(r, 200));
      expect(h.of('debate.resumed', debateId)).toHaveLength(0);
      expect(await h.arena.getDebate(debateId)).toMatchObject({ status: 'paused' });
      // Past it: the next poll resumes the debate.
      clock.advance(1_000);
      await resumed;
    } finally {
      await h.runner.stop();
    }
    expect(await h.runner.run(debateId)).toBe('completed');
    expect(await h.arena.getDebate(debateId)).toMatchObject({ status: 'completed' });
  }, 120_000);
});
