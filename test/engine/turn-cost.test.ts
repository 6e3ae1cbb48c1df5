import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meterDatabase, type SqlStats } from '../../bench/sql-meter.ts';
import { createPriceTable } from '../../engine/llm/pricing.ts';
import { createFixedClock } from '../fakes/fixed-clock.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';
import { createHarness } from './harness.ts';

// The cost intent as counts: a committed turn is one short transaction. Counted per turn between
// two message.created events (a turn's message is announced right after its commit).
const TURN_PATH = /^(update debate_sessions|with hold_debate|with turn_session)$/; // claim, budget hold, commit
const BACKGROUND = /^(select budget_windows|with fold_batch|insert system_logs)$/; // throttled budget.updated, stats fold, notes

describe.each(testDialects())('statements per turn on %s', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(() => t.dispose());

  it('a priced divergence turn is 3 statements and no multi-statement transaction: claim, hold, commit', async () => {
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
      expect(turnPath).toBe(3);
      expect(stats.byKind['update debate_sessions']).toBe(1);
      expect(stats.byKind['with hold_debate']).toBe(1);
      expect(stats.byKind['with turn_session']).toBe(1);
      expect(other).toEqual([]);
      expect(stats.statements).toBeLessThanOrEqual(6);
    }
    // Over the whole debate: plan sections and the final plan add their writes in one
    // transaction each; everything else commits as single statements.
    const all = turns.reduce((n, x) => n + x.stats.statements, 0);
    expect(all / turns.length).toBeLessThanOrEqual(6);
    expect(turns.reduce((n, x) => n + x.stats.transactions, 0)).toBeLessThanOrEqual(
      turns.filter((x) => x.kind.startsWith('planning:')).length + 2,
    );
  });
});
