import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATS_SWEEP_MS } from '../../engine/constants.ts';
import { createPriceTable } from '../../engine/llm/pricing.ts';
import { createFixedClock } from '../fakes/fixed-clock.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';
import { createHarness } from './harness.ts';

// Found by `npm run chaos`: a process SIGKILLed after a debate's last commit but before its throttled
// fold left that turn's usage out of api_usage for good (no later commit of its own would fold it,
// and the debate was already completed). A runner folds what is left when it starts, and every
// STATS_SWEEP_MS.
describe.each(testDialects())('usage left unfolded by a killed process, on %s', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(() => t.dispose());

  const usage = () =>
    t.db
      .selectFrom('api_usage')
      .select([
        sql<number>`coalesce(sum(input_tokens), 0)::int8`.as('input'),
        sql<number>`coalesce(sum(request_count), 0)::int8`.as('requests'),
      ])
      .where('date', '=', '2026-04-07')
      .executeTakeFirstOrThrow()
      .then((r) => ({ input: Number(r.input), requests: Number(r.requests) }));
  const unfolded = () =>
    t.db
      .selectFrom('debate_messages')
      .select('id')
      .where('stats_folded', '=', false)
      .execute()
      .then((rows) => rows.length);

  it('is folded by the next runner that starts, and by a running one within a sweep', async () => {
    const clock = createFixedClock('2026-04-07T09:00:00Z');
    const prices = createPriceTable({ overrides: 'fake:*=1/2' });
    const h = await createHarness(t.db, { clock, prices, settings: { rounds: 1 } });
    const { debateId } = await h.arena.startDebate({ idea: 'Library of things', origin: 'cli' });
    expect(await h.runner.run(debateId)).toBe('completed');
    const folded = await usage();
    expect(folded.requests).toBeGreaterThan(0);
    expect(await unfolded()).toBe(0);

    // As a killed process leaves it: its last turns committed, their fold never ran.
    const undo = async () => {
      await sql`update debate_messages set stats_folded = false
        where session_id = ${debateId} and usages is not null and jsonb_array_length(usages) > 0`.execute(
        t.db,
      );
      await sql`delete from api_usage where date = '2026-04-07'`.execute(t.db);
      expect(await unfolded()).toBeGreaterThan(0);
    };
    await undo();

    // The next process: its runner starts and folds, though it has no turn of its own to commit.
    const next = await createHarness(t.db, { clock, prices, instanceId: 'next' });
    await next.runner.start();
    await expect.poll(unfolded, { timeout: 10_000 }).toBe(0);
    expect(await usage()).toEqual(folded);

    // Left again while that runner keeps running: folded at its next sweep, not before.
    await undo();
    clock.advance(STATS_SWEEP_MS / 2);
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await unfolded()).toBeGreaterThan(0);
    clock.advance(STATS_SWEEP_MS / 2);
    await expect.poll(unfolded, { timeout: 10_000 }).toBe(0);
    expect(await usage()).toEqual(folded);
    await next.runner.stop();
  }, 120_000);
});
