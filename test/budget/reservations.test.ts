import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../db/connect.ts';
import { reclaimHolds } from '../../db/repositories/budget.ts';
import { claimTurn } from '../../db/repositories/debate-leases.ts';
import { recordUsage } from '../../db/repositories/usage.ts';
import type { Database } from '../../db/schema.ts';
import { budgetSnapshot, release, reserve, settle } from '../../engine/budget/index.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';

const NOW = new Date('2026-11-25T10:00:00Z');
const limits = { dailyUsd: 1, monthlyUsd: 10, debateUsd: 5 };

async function newDebate(db: Kysely<Database>, costUsd = 0): Promise<string> {
  const idea = await db
    .insertInto('ideas')
    .values({ title: 'DAO wallet', summary: 'A wallet app for DAOs', source_type: 'manual' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const debate = await db
    .insertInto('debate_sessions')
    .values({ idea_id: idea.id, phase: 'divergence', cost_usd: costUsd })
    .returning('id')
    .executeTakeFirstOrThrow();
  return debate.id;
}

/** Money held on today's window; the debates' own holds must always add up to it. */
async function heldUsd(db: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{ day: string; month: string; debates: string }>`
    select
      (select coalesce(sum(day_reserved), 0) from budget_windows where day = '2026-11-25') as day,
      (select coalesce(sum(month_reserved), 0) from budget_windows where month = '2026-11-01') as month,
      (select coalesce(sum(held_usd), 0) from debate_sessions) as debates`.execute(db);
  const r = rows[0]!;
  expect(Number(r.month)).toBeCloseTo(Number(r.day), 6);
  return Number(r.day);
}

describe.each(testDialects())('budget reservations on %s', (dialect) => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDatabase(dialect, { maxConnections: 12 });
  });
  afterAll(() => t.dispose());
  beforeEach(async () => {
    await sql`delete from budget_windows`.execute(t.db);
    await sql`delete from api_usage`.execute(t.db);
    await sql`delete from debate_sessions`.execute(t.db);
    await sql`delete from ideas`.execute(t.db);
  });

  it('refuses the call that would cross the daily limit, counting spent and held money', async () => {
    const debateId = await newDebate(t.db);
    await recordUsage(t.db, {
      date: '2026-11-25',
      provider: 'openai',
      model: 'm',
      inputTokens: 1,
      outputTokens: 1,
      costUsd: 0.3,
    });
    const first = await reserve(t.db, { debateId, estimateUsd: 0.5, limits, now: NOW });
    expect(first).toMatchObject({ ok: true });
    expect(first.ok && first.hold).toEqual({ amountUsd: 0.5, day: '2026-11-25' });
    const second = await reserve(t.db, { debateId, estimateUsd: 0.25, limits, now: NOW });
    expect(second).toEqual({
      ok: false,
      reason: 'budget',
      window: 'day',
      spentUsd: 0.8,
      limitUsd: 1,
      estimateUsd: 0.25,
    });
    // Exactly up to the limit is allowed
    expect(await reserve(t.db, { debateId, estimateUsd: 0.2, limits, now: NOW })).toMatchObject({ ok: true });
    // Yesterday's spending does not count today
    await recordUsage(t.db, {
      date: '2026-11-24',
      provider: 'openai',
      model: 'm',
      inputTokens: 1,
      outputTokens: 1,
      costUsd: 0.9,
    });
    expect(await reserve(t.db, { debateId: null, estimateUsd: 0.000001, limits, now: NOW })).toMatchObject({
      ok: false,
      window: 'day',
    });
  });

  it('checks the month (earlier days included) and the per-debate cap', async () => {
    await recordUsage(t.db, {
      date: '2026-11-02',
      provider: 'openai',
      model: 'm',
      inputTokens: 1,
      outputTokens: 1,
      costUsd: 9.5,
    });
    await recordUsage(t.db, {
      date: '2026-10-31',
      provider: 'openai',
      model: 'm',
      inputTokens: 1,
      outputTokens: 1,
      costUsd: 50,
    });
    const month = await reserve(t.db, { debateId: null, estimateUsd: 0.6, limits, now: NOW });
    expect(month).toEqual({
      ok: false,
      reason: 'budget',
      window: 'month',
      spentUsd: 9.5,
      limitUsd: 10,
      estimateUsd: 0.6,
    });

    const rich = await newDebate(t.db, 4.7);
    const capped = await reserve(t.db, { debateId: rich, estimateUsd: 0.4, limits, now: NOW });
    expect(capped).toMatchObject({ ok: false, window: 'debate', spentUsd: 4.7, limitUsd: 5 });
    const other = await newDebate(t.db);
    expect(await reserve(t.db, { debateId: other, estimateUsd: 0.4, limits, now: NOW })).toMatchObject({
      ok: true,
    });
    // A debate's own holds count against its cap
    const small = { ...limits, monthlyUsd: 100, debateUsd: 0.5 };
    expect(await reserve(t.db, { debateId: other, estimateUsd: 0.2, limits: small, now: NOW })).toMatchObject(
      {
        ok: false,
        window: 'debate',
        spentUsd: 0.4,
      },
    );
  });

  it('a free call (estimate 0) passes even over budget and holds nothing', async () => {
    await recordUsage(t.db, {
      date: '2026-11-25',
      provider: 'openai',
      model: 'm',
      inputTokens: 1,
      outputTokens: 1,
      costUsd: 2,
    });
    expect(await reserve(t.db, { debateId: null, estimateUsd: 0, limits, now: NOW })).toEqual({
      ok: true,
      hold: null,
    });
    expect(await heldUsd(t.db)).toBe(0);
  });

  it('20 concurrent reservers against a small limit never exceed it together', async () => {
    const debates = await Promise.all(Array.from({ length: 20 }, () => newDebate(t.db)));
    // Two pools on one database on Postgres, like two engine processes; PGlite is one connection.
    let second: DatabaseHandle | undefined;
    if (dialect === 'postgres') second = await connectDatabase({ databaseUrl: t.url!, maxConnections: 10 });
    try {
      const dbs = [t.db, second?.db ?? t.db];
      const results = await Promise.all(
        debates.map((debateId, i) =>
          reserve(dbs[i % 2]!, { debateId, estimateUsd: 0.07, limits: { ...limits, dailyUsd: 1 }, now: NOW }),
        ),
      );
      const granted = results.filter((r) => r.ok);
      expect(granted).toHaveLength(14); // floor(1 / 0.07)
      expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.window === 'day')).toBe(true);
      expect(await heldUsd(t.db)).toBeCloseTo(0.98, 6);
      expect(await heldUsd(t.db)).toBeLessThanOrEqual(1);
    } finally {
      await second?.close();
    }
  });

  it('settle records api_usage and the debate totals exactly, and frees the hold', async () => {
    const debateId = await newDebate(t.db);
    const r = await reserve(t.db, { debateId, estimateUsd: 0.5, limits, now: NOW });
    if (!r.ok) throw new Error('expected a reservation');
    const call = { debateId, provider: 'openai', model: 'gpt-4o-mini', now: NOW };
    await settle(t.db, {
      ...call,
      hold: r.hold,
      promptTokens: 1234,
      completionTokens: 321,
      costUsd: 0.000378,
    });
    await settle(t.db, {
      ...call,
      hold: null,
      promptTokens: 10,
      completionTokens: 5,
      costUsd: 0.000005,
    });
    expect(await heldUsd(t.db)).toBe(0);
    const usage = await t.db.selectFrom('api_usage').selectAll().execute();
    expect(usage).toHaveLength(1);
    expect(usage[0]).toMatchObject({
      date: '2026-11-25',
      provider: 'openai',
      model: 'gpt-4o-mini',
      input_tokens: 1244,
      output_tokens: 326,
      request_count: 2,
    });
    expect(Number(usage[0]!.cost_usd)).toBe(0.000383);
    const debate = await t.db
      .selectFrom('debate_sessions')
      .select(['prompt_tokens', 'completion_tokens', 'cost_usd'])
      .where('id', '=', debateId)
      .executeTakeFirstOrThrow();
    expect(debate).toMatchObject({ prompt_tokens: 1244, completion_tokens: 326 });
    expect(Number(debate.cost_usd)).toBe(0.000383);
  });

  it("settle runs inside the caller's transaction and rolls back with it", async () => {
    const debateId = await newDebate(t.db);
    const r = await reserve(t.db, { debateId, estimateUsd: 0.5, limits, now: NOW });
    if (!r.ok) throw new Error('expected a reservation');
    const boom = new Error('turn failed after settle');
    await expect(
      t.db.transaction().execute(async (trx) => {
        await settle(trx, {
          hold: r.hold,
          debateId,
          provider: 'openai',
          model: 'm',
          promptTokens: 5,
          completionTokens: 5,
          costUsd: 0.1,
          now: NOW,
        });
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await t.db.selectFrom('api_usage').selectAll().execute()).toEqual([]);
    expect(await heldUsd(t.db)).toBe(0.5);
    // reserve() must commit before the call starts, so it refuses to run inside a transaction
    await expect(
      t.db.transaction().execute((trx) => reserve(trx, { debateId, estimateUsd: 0.1, limits, now: NOW })),
    ).rejects.toThrow(/outside a transaction/);
  });

  it('release frees the hold for the next caller', async () => {
    const a = await reserve(t.db, { debateId: null, estimateUsd: 0.9, limits, now: NOW });
    expect(await reserve(t.db, { debateId: null, estimateUsd: 0.2, limits, now: NOW })).toMatchObject({
      ok: false,
    });
    if (!a.ok) throw new Error('expected a reservation');
    await release(t.db, { debateId: null, hold: a.hold, now: NOW });
    await release(t.db, { debateId: null, hold: null, now: NOW }); // nothing held is harmless
    expect(await reserve(t.db, { debateId: null, estimateUsd: 0.2, limits, now: NOW })).toMatchObject({
      ok: true,
    });
  });

  it("gives back a crashed runner's holds when its debate is reclaimed, and only once", async () => {
    const debateId = await newDebate(t.db);
    const other = await newDebate(t.db);
    expect(await reserve(t.db, { debateId, estimateUsd: 0.6, limits, now: NOW })).toMatchObject({ ok: true });
    expect(await reserve(t.db, { debateId: other, estimateUsd: 0.3, limits, now: NOW })).toMatchObject({
      ok: true,
    });
    // The first runner dies mid call: its hold stays until its debate is claimed again.
    expect(await reserve(t.db, { debateId: null, estimateUsd: 0.2, limits, now: NOW })).toMatchObject({
      ok: false,
      window: 'day',
    });
    await reclaimHolds(t.db, { debateId });
    await reclaimHolds(t.db, { debateId }); // twice gives back nothing more
    expect(await heldUsd(t.db)).toBeCloseTo(0.3, 6);
    const snap = await budgetSnapshot(t.db, { now: NOW, limits });
    expect(snap.day.reservedUsd).toBeCloseTo(0.3, 6);
    expect(await reserve(t.db, { debateId: null, estimateUsd: 0.2, limits, now: NOW })).toMatchObject({
      ok: true,
    });
    // A day later the holds of yesterday no longer count against today.
    const tomorrow = new Date(NOW.getTime() + 24 * 3600_000);
    expect(await reserve(t.db, { debateId: null, estimateUsd: 0.9, limits, now: tomorrow })).toMatchObject({
      ok: true,
    });
  });

  it('concurrent reservers of one debate never exceed its cap together', async () => {
    const debateId = await newDebate(t.db, 0.1);
    let second: DatabaseHandle | undefined;
    if (dialect === 'postgres') second = await connectDatabase({ databaseUrl: t.url!, maxConnections: 10 });
    try {
      const dbs = [t.db, second?.db ?? t.db];
      const capped = { dailyUsd: 100, monthlyUsd: 100, debateUsd: 1 };
      const results = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          reserve(dbs[i % 2]!, { debateId, estimateUsd: 0.1, limits: capped, now: NOW }),
        ),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(9); // (1 - 0.1 spent) / 0.1
      expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.window === 'debate')).toBe(true);
      expect(await heldUsd(t.db)).toBeCloseTo(0.9, 6);
    } finally {
      await second?.close();
    }
  });

  // A turn's claim holds its first call in the same statement (claimTurn with `hold`): the same
  // all-or-nothing rules as reserve(), and a refused hold still claims the turn.
  const claimWithHold = (db: Kysely<Database>, id: string, amountUsd: number, l = limits) =>
    claimTurn(db, {
      id,
      owner: 'runner',
      now: NOW,
      ttlMs: 60_000,
      turnIndex: 0,
      speaker: null,
      phase: 'divergence',
      round: 1,
      hold: { amountUsd, dailyUsd: l.dailyUsd, monthlyUsd: l.monthlyUsd, debateUsd: l.debateUsd },
    });
  const leased = async (db: Kysely<Database>, costUsd = 0) => {
    const id = await newDebate(db, costUsd);
    await sql`update debate_sessions set lease_owner = 'runner' where id = ${id}::uuid`.execute(db);
    return id;
  };

  it('20 concurrent turn claims holding their calls never exceed the daily limit together', async () => {
    const debates = await Promise.all(Array.from({ length: 20 }, () => leased(t.db)));
    let second: DatabaseHandle | undefined;
    if (dialect === 'postgres') second = await connectDatabase({ databaseUrl: t.url!, maxConnections: 10 });
    try {
      const dbs = [t.db, second?.db ?? t.db];
      const results = await Promise.all(
        debates.map((id, i) => claimWithHold(dbs[i % 2]!, id, 0.07, { ...limits, dailyUsd: 1 })),
      );
      // Every turn is claimed; only 14 calls hold (floor(1 / 0.07)), the others hold nothing anywhere.
      expect(results.every((r) => r.ok)).toBe(true);
      expect(results.filter((r) => r.ok && r.held)).toHaveLength(14);
      expect(await heldUsd(t.db)).toBeCloseTo(0.98, 6);
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from debate_sessions where turn_in_flight = 0 and next_turn = 1`.execute(
        t.db,
      );
      expect(rows[0]!.n).toBe(20);
      // The refused ones ask the budget themselves: still refused, on the day.
      const refused = debates.filter((_, i) => !(results[i]!.ok && results[i]!.held));
      const again = await reserve(t.db, {
        debateId: refused[0]!,
        estimateUsd: 0.07,
        limits: { ...limits, dailyUsd: 1 },
        now: NOW,
      });
      expect(again).toMatchObject({ ok: false, window: 'day' });
    } finally {
      await second?.close();
    }
  });

  it('a claim holds against the debate cap, and holds nothing when the turn is not its to claim', async () => {
    const id = await leased(t.db, 0.9);
    const over = await claimWithHold(t.db, id, 0.2, { ...limits, debateUsd: 1 });
    expect(over).toMatchObject({ ok: true, held: false });
    expect(await heldUsd(t.db)).toBe(0);
    // Claimed already at index 0 by the call above: replaying it holds; a later index has moved.
    const fits = await claimWithHold(t.db, id, 0.1, { ...limits, debateUsd: 1 });
    expect(fits).toMatchObject({ ok: true, held: true });
    expect(await heldUsd(t.db)).toBeCloseTo(0.1, 6);
    const other = await leased(t.db);
    await sql`update debate_sessions set lease_owner = 'someone else' where id = ${other}::uuid`.execute(
      t.db,
    );
    expect(await claimWithHold(t.db, other, 0.1)).toEqual({ ok: false, reason: 'lease_lost' });
    await sql`update debate_sessions set lease_owner = 'runner', status = 'paused' where id = ${other}::uuid`.execute(
      t.db,
    );
    expect(await claimWithHold(t.db, other, 0.1)).toEqual({ ok: false, reason: 'not_active' });
    await sql`update debate_sessions set status = 'active', next_turn = 3 where id = ${other}::uuid`.execute(
      t.db,
    );
    expect(await claimWithHold(t.db, other, 0.1)).toEqual({ ok: false, reason: 'moved' });
    expect(await heldUsd(t.db)).toBeCloseTo(0.1, 6);
  });

  it('budgetSnapshot reports spent, held, tokens and limits per window', async () => {
    await recordUsage(t.db, {
      date: '2026-11-25',
      provider: 'ollama',
      model: 'q',
      inputTokens: 100,
      outputTokens: 20,
      costUsd: 0,
    });
    await recordUsage(t.db, {
      date: '2026-11-25',
      provider: 'openai',
      model: 'm',
      inputTokens: 7,
      outputTokens: 3,
      costUsd: 0.25,
    });
    await recordUsage(t.db, {
      date: '2026-11-03',
      provider: 'openai',
      model: 'm',
      inputTokens: 1000,
      outputTokens: 0,
      costUsd: 1.5,
    });
    await reserve(t.db, { debateId: null, estimateUsd: 0.125, limits, now: NOW });
    expect(await budgetSnapshot(t.db, { now: NOW, limits })).toEqual({
      day: { date: '2026-11-25', spentUsd: 0.25, reservedUsd: 0.125, limitUsd: 1, tokens: 130 },
      month: { month: '2026-11', spentUsd: 1.75, reservedUsd: 0.125, limitUsd: 10, tokens: 1130 },
    });
  });
});
