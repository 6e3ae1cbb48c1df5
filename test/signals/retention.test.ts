import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertNewSignals } from '../../db/repositories/signals.ts';
import { runRetention } from '../../engine/signals/retention.ts';
import { createFixedClock } from '../fakes/fixed-clock.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';

const NOW = new Date('2026-11-25T12:00:00.000Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 24 * 3600_000);
const REF = '00000000-0000-4000-8000-000000000001';

describe.each(testDialects())('retention (%s)', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    const db = t.db;
    await insertNewSignals(
      db,
      [91, 95, 120, 89, 1].map((d, i) => ({
        source: 'news',
        category: 'ai',
        title: `s${d}`,
        dedup_key: `r${i}`,
        collected_at: daysAgo(d),
      })),
    );
    await db
      .insertInto('system_logs')
      .values(
        [31, 40, 29].map((d) => ({
          level: 'warn' as const,
          source: 'x',
          message: `l${d}`,
          created_at: daysAgo(d),
        })),
      )
      .execute();
    await db
      .insertInto('api_usage')
      .values(
        [366, 364].map((d) => ({
          date: daysAgo(d).toISOString().slice(0, 10),
          provider: 'p',
          model: 'm',
          cost_usd: 1,
        })),
      )
      .execute();
    const idea = await db
      .insertInto('ideas')
      .values({ title: 'old idea', summary: 's', source_type: 'traditional', created_at: daysAgo(400) })
      .returning('id')
      .executeTakeFirstOrThrow();
    const session = await db
      .insertInto('debate_sessions')
      .values({ idea_id: idea.id, phase: 'divergence', created_at: daysAgo(400) })
      .returning('id')
      .executeTakeFirstOrThrow();
    const msg = (turn: number, days: number, content: string) => ({
      session_id: session.id,
      turn_index: turn,
      commit_seq: turn + 1,
      phase: 'divergence' as const,
      agent_id: 'a',
      agent_name: 'A',
      message_type: 'propose' as const,
      content,
      references: [REF],
      metadata: { model: 'x' },
      created_at: daysAgo(days),
    });
    await db
      .insertInto('debate_messages')
      .values([
        msg(0, 200, 'L'.repeat(800)),
        msg(1, 190, 'short'),
        msg(2, 181, '가'.repeat(600)),
        msg(3, 10, 'N'.repeat(900)),
      ])
      .execute();
    await db
      .insertInto('plans')
      .values({ idea_id: idea.id, title: 'old plan', created_at: daysAgo(400) })
      .execute();
  }, 120_000);
  afterAll(() => t.dispose());

  it('deletes old signals, logs and usage and archives old messages, in batches, exactly per policy', async () => {
    const clock = createFixedClock(NOW);
    const report = await runRetention({ db: t.db, clock }, undefined, 2);
    expect(report).toMatchObject({ signalsDeleted: 3, logsDeleted: 2, usageDeleted: 1, messagesArchived: 3 });
    expect(report.batches).toBeGreaterThan(4); // 3 signals in batches of 2 took two statements
    const titles = (await t.db.selectFrom('signals').select('title').orderBy('title').execute()).map(
      (r) => r.title,
    );
    expect(titles).toEqual(['s1', 's89']);
    expect((await t.db.selectFrom('system_logs').select('message').execute()).map((r) => r.message)).toEqual([
      'l29',
    ]);
    expect(await t.db.selectFrom('api_usage').select('date').execute()).toHaveLength(1);
    const messages = await t.db.selectFrom('debate_messages').selectAll().orderBy('turn_index').execute();
    expect(messages[0]!.content).toBe(`${'L'.repeat(500)}... [archived]`);
    expect(messages[0]!.metadata).toMatchObject({ model: 'x', archived: true, originalLength: 800 });
    expect(messages[0]!.references).toEqual([REF]);
    expect(messages[1]!.content).toBe('short');
    expect(messages[1]!.metadata).toMatchObject({ archived: true });
    expect(messages[2]!.content).toBe(`${'가'.repeat(500)}... [archived]`); // characters, not bytes
    expect(messages[3]!.content).toBe('N'.repeat(900));
    expect(messages[3]!.metadata).toEqual({ model: 'x' });
    // Ideas and plans are kept whatever their age.
    expect(await t.db.selectFrom('ideas').select('id').execute()).toHaveLength(1);
    expect(await t.db.selectFrom('plans').select('id').execute()).toHaveLength(1);

    const again = await runRetention({ db: t.db, clock }, undefined, 2);
    expect(again).toMatchObject({ signalsDeleted: 0, logsDeleted: 0, usageDeleted: 0, messagesArchived: 0 });
  });
});
