import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeLlm } from '../fakes/fake-llm.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createHarness } from './harness.ts';

// PGlite is enough: the queue is the runner's own, in memory.
describe('runner capacity queue', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('pglite');
  });
  afterAll(() => t.dispose());

  it('debates started over the API beyond capacity wait in a visible queue, then all complete', async () => {
    const llm = createFakeLlm();
    const h = await createHarness(t.db, { llm, settings: { maxDebates: 2, pollMs: 60_000 } });
    await h.runner.start();
    try {
      const hold = llm.hold();
      const ids: string[] = [];
      for (const idea of ['a seed swap', 'a repair café', 'a school carpool', 'a tool library']) {
        ids.push((await h.arena.startDebate({ idea, origin: 'api', rounds: 1 })).debateId);
      }
      await hold.next();
      await hold.next(); // two debates are in flight, at capacity
      expect(h.runner.load()).toEqual({ running: 2, queued: 2, capacity: 2 });
      expect(h.runner.active()).toEqual(ids.slice(0, 2));
      // Asking again for a queued debate neither runs it nor queues it twice.
      const waiting = h.runner.run(ids[3]!);
      expect(h.runner.load().queued).toBe(2);
      hold.release();
      expect(await Promise.all(ids.map((id) => h.runner.run(id)))).toEqual([
        'completed',
        'completed',
        'completed',
        'completed',
      ]);
      expect(await waiting).toBe('completed');
      expect(h.runner.load()).toEqual({ running: 0, queued: 0, capacity: 2 });
    } finally {
      await h.runner.stop();
    }
  });
});
