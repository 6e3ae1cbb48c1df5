import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meterDatabase, type SqlStats } from '../../bench/sql-meter.ts';
import { getPlanByDebate, SECTION_COLUMNS } from '../../db/repositories/plans.ts';
import { createPriceTable } from '../../engine/llm/pricing.ts';
import { createFixedClock } from '../fakes/fixed-clock.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';
import { createHarness } from './harness.ts';

// The cost intent as counts: a committed turn is one short transaction. Counted per turn between
// two message.created events (a turn's message is announced right after its commit).
const TURN_PATH = /^(with turn_claim|with hold_debate|with turn_session)$/; // claim (holding the calls), a call's own hold (none expected), commit
const BACKGROUND = /^(select budget_windows|with fold_batch|insert system_logs)$/; // throttled budget.updated, stats fold, notes

describe.each(testDialects())('statements per turn on %s', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(() => t.dispose());

  it('every priced turn (divergence, verdict, plan section, final plan) is a claim that holds its call and one commit statement, no transaction', async () => {
    const meter = meterDatabase(t.db);
    const clock = createFixedClock('2026-04-04T10:00:00Z');
    const h = await createHarness(meter.db, { clock, prices: createPriceTable({ overrides: 'fake:*=1/2' }) });
    const turns: Array<{ kind: string; stats: SqlStats }> = [];
    h.bus.subscribe((e) => {
      if (e.type !== 'message.created') return;
      turns.push({ kind: `${e.message.phase}:${e.message.type}`, stats: meter.stats() });
      meter.reset();
    });
    const { debateId } = await h.arena.startDebate({
      idea: 'a tool library for a street',
      origin: 'test',
      rounds: 1,
    });
    meter.reset();
    expect(await h.runner.run(debateId)).toBe('completed');

    // The first turn also claims the lease and reads the debate; look at the ones after it.
    const divergence = turns
      .slice(1)
      .filter((x) => x.kind.startsWith('divergence:') && !x.kind.endsWith(':summary'));
    expect(divergence.length).toBeGreaterThanOrEqual(3);
    for (const { stats } of divergence) {
      const kinds = Object.entries(stats.byKind);
      const turnPath = kinds.filter(([k]) => TURN_PATH.test(k)).reduce((n, [, c]) => n + c, 0);
      const other = kinds.filter(([k]) => !TURN_PATH.test(k) && !BACKGROUND.test(k));
      expect(stats.transactions).toBe(0);
      expect(turnPath).toBe(2);
      expect(stats.byKind['with turn_claim']).toBe(1);
      expect(stats.byKind['with hold_debate']).toBeUndefined();
      expect(stats.byKind['with turn_session']).toBe(1);
      expect(other).toEqual([]);
      expect(stats.statements).toBeLessThanOrEqual(6); // with the throttled background reads and folds
    }
    // Verdicts and plan sections are groups: every call of the group starts before the first
    // commits, so the group's statements are counted together. The first turn's claim holds the
    // budget of every call of the group in one go; each later turn is claimed when it commits;
    // every commit is one statement that carries the plan write: no BEGIN/COMMIT anywhere.
    const verdicts = turns.filter((x) => x.kind === 'convergence:verdict');
    const planning = turns.filter((x) => x.kind.startsWith('planning:'));
    const sections = planning.slice(0, -1);
    const final = planning.at(-1)!;
    expect(verdicts.length).toBe(8);
    expect(sections.length).toBe(10);
    for (const group of [verdicts, sections]) {
      const n = group.length;
      const sum = (k: string) => group.reduce((c, x) => c + (x.stats.byKind[k] ?? 0), 0);
      expect(group.reduce((c, x) => c + x.stats.transactions, 0)).toBe(0);
      expect(sum('with turn_claim')).toBe(n);
      expect(sum('with hold_debate')).toBe(0);
      expect(sum('with turn_session')).toBe(n);
      const turnPath = group.reduce(
        (c, x) =>
          c +
          Object.entries(x.stats.byKind)
            .filter(([k]) => TURN_PATH.test(k))
            .reduce((m, [, v]) => m + v, 0),
        0,
      );
      expect(turnPath).toBe(2 * n);
      const other = group.flatMap((x) =>
        Object.keys(x.stats.byKind).filter((k) => !TURN_PATH.test(k) && !BACKGROUND.test(k)),
      );
      expect(other).toEqual([]);
      for (const x of group.slice(1)) expect(x.stats.statements).toBeLessThanOrEqual(6);
    }
    // The final plan: a claim that holds its call, and one commit that also writes the plan and the idea's status.
    expect(final.stats.transactions).toBe(0);
    expect(final.stats.byKind['with turn_session']).toBe(1);
    expect(final.stats.byKind['with turn_claim']).toBe(1);
    expect(final.stats.byKind['with hold_debate']).toBeUndefined();
    expect(final.stats.statements).toBeLessThanOrEqual(3);

    // Over the whole debate: no multi-statement transaction at all, ≤ 6 statements per turn.
    const all = turns.reduce((n, x) => n + x.stats.statements, 0);
    expect(all / turns.length).toBeLessThanOrEqual(6);
    expect(turns.reduce((n, x) => n + x.stats.transactions, 0)).toBe(0);

    // What the folded writes wrote: every section in its column, the final plan, the idea planned.
    const plan = await getPlanByDebate(t.db, debateId);
    expect(plan?.status).toBe('final');
    expect(plan?.final_plan).toBeTruthy();
    for (const col of Object.values(SECTION_COLUMNS)) expect(plan?.[col]).toMatch(/^\*\*/);
    const sectionsWritten = Object.values(SECTION_COLUMNS)
      .map((col) => (plan?.[col] ?? '').split('\n\n---\n\n').length)
      .reduce((a, b) => a + b, 0);
    expect(sectionsWritten).toBe(10);
    const idea = await t.db
      .selectFrom('ideas')
      .select('status')
      .where('id', '=', plan!.idea_id)
      .executeTakeFirst();
    expect(idea?.status).toBe('planned');
  });
});
