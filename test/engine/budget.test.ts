import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPriceTable } from '../../engine/llm/pricing.ts';
import { createFixedClock } from '../fakes/fixed-clock.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';
import { createHarness } from './harness.ts';

const DAY = 24 * 60 * 60 * 1000;
// $100 per million tokens: a fake call costs a few cents, so small limits bite within a debate.
const prices = createPriceTable({ overrides: 'fake:*=100/100' });

describe.each(testDialects())('budget on %s', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect, { maxConnections: 20 });
  });
  afterAll(() => t.dispose());

  const spentOn = async (date: string) => {
    const r = await t.db
      .selectFrom('api_usage')
      .select(sql<string>`coalesce(sum(cost_usd), 0)`.as('cost'))
      .where('date', '=', date)
      .executeTakeFirstOrThrow();
    return Number(r.cost);
  };

  it('pauses a debate at the daily limit, resumes when the day rolls over, and finishes without a gap', async () => {
    const clock = createFixedClock('2026-05-10T12:00:00Z');
    const h = await createHarness(t.db, {
      clock,
      prices,
      settings: { budget: { dailyUsd: 1, monthlyUsd: 100 }, pollMs: 10 },
    });
    const { debateId } = await h.arena.startDebate({
      idea: 'a wallet app for DAOs',
      origin: 'test',
      rounds: 1,
    });
    expect(await h.runner.run(debateId)).toBe('paused');
    let d = (await h.arena.getDebate(debateId))!;
    expect(d).toMatchObject({ status: 'paused', pauseReason: 'budget' });
    const before = d.messages.length;
    expect(before).toBeGreaterThan(0);
    expect(await spentOn('2026-05-10')).toBeLessThanOrEqual(1);
    expect(await spentOn('2026-05-10')).toBeGreaterThan(0.5);
    expect(h.of('debate.paused', debateId)).toEqual([expect.objectContaining({ reason: 'budget' })]);
    expect(h.of('budget.updated').at(-1)?.budget.day).toMatchObject({ date: '2026-05-10', limitUsd: 1 });

    // The next day the runner's poll lifts the pause by itself and the debate continues.
    clock.advance(DAY);
    const resumed = new Promise<void>((resolve) =>
      h.bus.subscribe((e) => e.type === 'debate.resumed' && resolve()),
    );
    await h.runner.start();
    await resumed;
    await h.runner.stop();
    await h.runner.run(debateId);
    d = (await h.arena.getDebate(debateId))!;
    expect(d.messages.length).toBeGreaterThan(before);
    expect(await spentOn('2026-05-11')).toBeLessThanOrEqual(1);

    // Day by day, resumed by hand, it completes; no day went over and the transcript has no hole.
    for (let day = 12; day < 40 && d.status !== 'completed'; day++) {
      clock.advance(DAY);
      expect(await h.arena.resume(debateId)).toEqual({ ok: true });
      await h.runner.run(debateId);
      d = (await h.arena.getDebate(debateId))!;
      expect(await spentOn(clock.now().toISOString().slice(0, 10))).toBeLessThanOrEqual(1);
    }
    expect(d.status).toBe('completed');
    expect(d.messages.map((m) => m.turnIndex)).toEqual(d.messages.map((_, i) => i));
    expect(d.messages.filter((m) => m.type === 'verdict')).toHaveLength(8);
    expect((await h.arena.budget()).day.reservedUsd).toBe(0);
  });

  it('refuses to resume a debate whose own cap is spent', async () => {
    const clock = createFixedClock('2026-06-10T12:00:00Z');
    const h = await createHarness(t.db, {
      clock,
      prices,
      settings: { budget: { dailyUsd: 100, monthlyUsd: 100 } },
    });
    const { debateId } = await h.arena.startDebate({
      idea: 'a bike repair van',
      origin: 'test',
      budgetCapUsd: 0.3,
    });
    expect(await h.runner.run(debateId)).toBe('paused');
    const d = (await h.arena.getDebate(debateId))!;
    expect(d.costUsd).toBeLessThanOrEqual(0.3);
    expect(await h.arena.resume(debateId)).toEqual({ ok: false, reason: 'budget' });
  });

  it('keeps 20 concurrent debates under a small daily limit together', async () => {
    const clock = createFixedClock('2026-07-10T12:00:00Z');
    const h = await createHarness(t.db, {
      clock,
      prices,
      settings: { budget: { dailyUsd: 2, monthlyUsd: 100 } },
    });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      ids.push(
        (
          await h.arena.startDebate({
            idea: `idea number ${i}: a marketplace for ${i} things`,
            origin: 'test',
            rounds: 1,
          })
        ).debateId,
      );
    }
    const ends = await Promise.all(ids.map((id) => h.runner.run(id)));
    expect(ends.every((e) => e === 'paused' || e === 'completed')).toBe(true);
    expect(ends.filter((e) => e === 'paused').length).toBeGreaterThan(0);
    const spent = await spentOn('2026-07-10');
    expect(spent).toBeLessThanOrEqual(2);
    expect(spent).toBeGreaterThan(1.5);
    const day = (await h.arena.budget()).day;
    expect(day).toMatchObject({ reservedUsd: 0, limitUsd: 2 });
    expect(day.spentUsd).toBeCloseTo(spent, 6);
    // Per-debate totals agree with api_usage: nothing spent went unrecorded.
    const debates = await h.arena.listDebates({ limit: 100 });
    const total = debates.filter((d) => ids.includes(d.id)).reduce((n, d) => n + d.costUsd, 0);
    expect(total).toBeCloseTo(spent, 5);
  });
});
