import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../db/connect.ts';
import { listMessages } from '../../db/repositories/debate-messages.ts';
import { LEASE_MS } from '../../engine/constants.ts';
import { toHistory } from '../../engine/debate/history.ts';
import { createCast } from '../../engine/debate/plan/cast.ts';
import { planNextStep } from '../../engine/debate/plan/planner.ts';
import { createPriceTable } from '../../engine/llm/pricing.ts';
import { builtinCatalog } from '../../personas/index.ts';
import { createFakeLlm, type FakeLlm } from '../fakes/fake-llm.ts';
import { createFixedClock } from '../fakes/fixed-clock.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';
import { createHarness } from './harness.ts';

/** Every message is exactly the step the planner derives from the messages before it: no duplicate, no skip. */
async function expectPlannedTranscript(
  t: TestDatabase,
  debateId: string,
  seed: string,
  idea: string,
  rounds: number,
) {
  const history = toHistory(await listMessages(t.db, debateId));
  const ctx = { seed, idea, rounds, cast: createCast(await builtinCatalog()) };
  history.forEach((e, i) => {
    const step = planNextStep(ctx, history.slice(0, i));
    expect(
      step.kind === 'done'
        ? null
        : { speaker: 'speakerId' in step ? step.speakerId : 'moderator', refs: step.refs },
    ).toEqual({
      speaker: e.agentId,
      refs: e.refs,
    });
  });
  expect(planNextStep(ctx, history).kind).toBe('done');
  return history;
}

describe.each(testDialects())('leases on %s', (dialect) => {
  let t: TestDatabase;
  let second: DatabaseHandle | undefined;
  beforeAll(async () => {
    t = await createTestDatabase(dialect, { maxConnections: 20 });
    // Two engine processes: on Postgres each gets its own connection pool.
    if (t.url) second = await connectDatabase({ databaseUrl: t.url, maxConnections: 20 });
  });
  afterAll(async () => {
    await second?.close();
    await t.dispose();
  });

  it('never lets two runners drive the same debate: each debate is run by exactly one', async () => {
    const a = await createHarness(t.db, { instanceId: 'runner-a' });
    const b = await createHarness(second?.db ?? t.db, { instanceId: 'runner-b' });
    const ideas = ['a seed library', 'a repair café finder', 'a carpool for schools', 'a dog-walking co-op'];
    const ids: string[] = [];
    for (const idea of ideas)
      ids.push((await a.arena.startDebate({ idea, origin: 'test', rounds: 1 })).debateId);

    const results = await Promise.all(ids.map((id) => Promise.all([a.runner.run(id), b.runner.run(id)])));
    for (const pair of results) expect([...pair].sort()).toEqual(['completed', 'not_claimed']);

    let llmMessages = 0;
    for (const [i, id] of ids.entries()) {
      const history = await expectPlannedTranscript(t, id, id, `${ideas[i]}\n${ideas[i]}`, 1);
      llmMessages += history.filter((e) => !(e.step?.kind === 'outcome')).length;
    }
    // Not one call was made for a debate the other runner was driving.
    expect((a.llm as FakeLlm).calls.length + (b.llm as FakeLlm).calls.length).toBe(llmMessages);
  });

  it('fences a runner whose lease expired mid-call: its late answer is discarded, the new owner replays the turn', async () => {
    const clock = createFixedClock('2026-08-01T09:00:00Z');
    const slowLlm = createFakeLlm();
    // Priced, so the abandoned call holds a reservation that must be settled, not leaked.
    const prices = createPriceTable({ overrides: 'fake:*=1/1' });
    // Expiry is driven by the fixed clock below; a real-time renewal firing on a slow machine would
    // find the lease gone and abort the late call instead of letting its commit be fenced.
    const settings = { leaseRenewMs: 600_000 };
    const a = await createHarness(t.db, { instanceId: 'runner-slow', clock, llm: slowLlm, prices, settings });
    const b = await createHarness(second?.db ?? t.db, { instanceId: 'runner-new', clock, prices });
    const { debateId } = await a.arena.startDebate({ idea: 'a night market app', origin: 'test', rounds: 1 });

    const first = slowLlm.hold();
    const running = a.runner.run(debateId);
    await first.next(); // turn 0 is in flight on runner-slow
    const held = slowLlm.hold(); // …and turn 1 will hang
    first.release();
    await held.next();
    const n = (await listMessages(t.db, debateId)).length;
    expect(n).toBe(1);

    clock.advance(LEASE_MS + 1_000); // runner-slow seems dead: its lease expires
    expect(await b.runner.run(debateId)).toBe('completed');
    held.release();
    expect(await running).toBe('lease_lost');

    await expectPlannedTranscript(t, debateId, debateId, 'a night market app\na night market app', 1);
    // Turn 1 was claimed by runner-slow, replayed by runner-new, and committed once.
    expect(slowLlm.calls.filter((c) => c.meta?.turnIndex === 1)).toHaveLength(1);
    expect((b.llm as FakeLlm).calls.filter((c) => c.meta?.turnIndex === 1)).toHaveLength(1);
    expect((await listMessages(t.db, debateId)).filter((m) => m.turn_index === 1)).toHaveLength(1);
    const day = (await b.arena.budget()).day;
    expect(day.reservedUsd).toBe(0);
    const d = (await b.arena.getDebate(debateId))!;
    // The discarded call was paid for too: the debate cost more than its committed messages.
    expect(day.spentUsd).toBeCloseTo(d.costUsd, 6);
    expect(d.costUsd).toBeGreaterThan(d.messages.reduce((n, m) => n + m.costUsd, 0) + 1e-7);
  });
});
