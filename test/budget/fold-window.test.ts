import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetTotals } from '../../db/repositories/budget.ts';
import { foldTurnStats } from '../../db/repositories/usage.ts';
import { reserve } from '../../engine/budget/index.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';

const limits = { dailyUsd: 100, monthlyUsd: 1000 };

// A turn's commit leaves the budget window alone (its row lock would last until the WAL flush);
// the stats fold moves the turn's spending in and its holds out, exactly once.
describe.each(testDialects())(
  'the stats fold settles committed turns in the budget window on %s',
  (dialect) => {
    let t: TestDatabase;
    beforeAll(async () => {
      t = await createTestDatabase(dialect);
    });
    afterAll(() => t.dispose());

    async function committedTurn(at: string, usages: object[]): Promise<void> {
      const { rows: ideas } = await sql<{ id: string }>`
      insert into ideas (title, summary, source_type) values ('i', 's', 'manual') returning id`.execute(t.db);
      const { rows } = await sql<{ id: string }>`
      insert into debate_sessions (idea_id, phase) values (${ideas[0]!.id}::uuid, 'divergence') returning id`.execute(
        t.db,
      );
      await sql`insert into debate_messages (session_id, turn_index, phase, agent_id, agent_name, message_type,
        content, commit_seq, usages, stats_folded, created_at)
      values (${rows[0]!.id}::uuid, 0, 'divergence', 'p', 'P', 'argument', 'x', 0,
        ${JSON.stringify(usages)}::jsonb, false, ${at}::timestamptz)`.execute(t.db);
    }

    it('holds stay counted until the fold, which adds the spending and gives the holds back once', async () => {
      const now = new Date('2026-05-10T10:00:00Z');
      const hold = await reserve(t.db, { debateId: null, estimateUsd: 0.5, limits, now });
      expect(hold.ok).toBe(true);
      await committedTurn(now.toISOString(), [
        { provider: 'p', model: 'm', input: 100, output: 50, cost: 0.2, held: 0.5, held_day: '2026-05-10' },
      ]);
      expect(await budgetTotals(t.db, now)).toMatchObject({
        daySpentUsd: 0,
        dayReservedUsd: 0.5,
        monthReservedUsd: 0.5,
      });
      await foldTurnStats(t.db);
      expect(await budgetTotals(t.db, now)).toMatchObject({
        daySpentUsd: 0.2,
        dayReservedUsd: 0,
        dayTokens: 150,
        monthSpentUsd: 0.2,
        monthReservedUsd: 0,
      });
      await foldTurnStats(t.db); // nothing left: folded once
      expect((await budgetTotals(t.db, now)).monthSpentUsd).toBe(0.2);
    });

    it('a hold made before midnight and committed after: the month gives it back, the new day only counts the spending', async () => {
      const before = new Date('2026-06-30T23:59:59Z');
      const after = new Date('2026-07-01T00:00:02Z');
      expect((await reserve(t.db, { debateId: null, estimateUsd: 0.4, limits, now: before })).ok).toBe(true);
      expect((await reserve(t.db, { debateId: null, estimateUsd: 0.3, limits, now: after })).ok).toBe(true);
      await committedTurn(after.toISOString(), [
        { provider: 'p', model: 'm', input: 10, output: 10, cost: 0.1, held: 0.4, held_day: '2026-06-30' },
      ]);
      await foldTurnStats(t.db);
      expect(await budgetTotals(t.db, before)).toMatchObject({ monthReservedUsd: 0, monthSpentUsd: 0 });
      // July: the other call's hold made after midnight is still held; the turn's spending is in.
      expect(await budgetTotals(t.db, after)).toMatchObject({
        daySpentUsd: 0.1,
        dayReservedUsd: 0.3,
        monthSpentUsd: 0.1,
        monthReservedUsd: 0.3,
      });
    });
  },
);
