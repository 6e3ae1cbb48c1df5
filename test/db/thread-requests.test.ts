import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claimThreadRequests,
  completeThreadRequest,
  failThreadRequest,
  requestThread,
} from '../../db/repositories/chat-thread-requests.ts';
import { createTestDatabase, seedDebate, type TestDatabase, testDialects } from '../helpers/db.ts';

// A thread a worker asks for is opened by exactly one bot process: claims skip rows another process
// is claiming, a claim runs out, and only the claim holder can mark it done.
describe.each(testDialects())('chat thread requests on %s', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  }, 120_000);
  afterAll(() => t.dispose());

  async function seed(n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const debateId = await seedDebate(t.db);
      await requestThread(t.db, {
        platform: 'slack',
        workspaceId: 'T1',
        channelId: 'C1',
        title: `idea ${i}`,
        debateId,
        createdBy: 'debate.auto',
      });
      ids.push(debateId);
    }
    return ids;
  }

  it('gives each request to one claimer, and back after a failure or a lapsed claim', async () => {
    const debates = await seed(6);
    const opts = { leaseMs: 60_000, limit: 10 };
    const [a, b] = await Promise.all([
      claimThreadRequests(t.db, 'slack', 'a', opts),
      claimThreadRequests(t.db, 'slack', 'b', opts),
    ]);
    expect(a.length + b.length).toBe(6);
    expect(new Set([...a, ...b].map((r) => r.debateId))).toEqual(new Set(debates));
    expect([...a, ...b].every((r) => r.attempts === 1)).toBe(true);
    expect(await claimThreadRequests(t.db, 'slack', 'c', opts)).toEqual([]);
    expect(await claimThreadRequests(t.db, 'discord', 'c', opts)).toEqual([]);

    const mine = a[0] ?? b[0]!;
    const holder = a[0] ? 'a' : 'b';
    // Only the holder completes it.
    expect(await completeThreadRequest(t.db, mine.id, 'c', '1.1')).toBe(false);
    expect(await completeThreadRequest(t.db, mine.id, holder, '1.1')).toBe(true);
    expect(await completeThreadRequest(t.db, mine.id, holder, '1.1')).toBe(false);

    // A failure with a retry comes back once its wait is over; a permanent one never.
    const rest = [...a, ...b].filter((r) => r.id !== mine.id);
    const owner = (id: string) => (a.some((r) => r.id === id) ? 'a' : 'b');
    await failThreadRequest(t.db, rest[0]!.id, owner(rest[0]!.id), 'network', 0);
    await failThreadRequest(t.db, rest[1]!.id, owner(rest[1]!.id), 'channel gone', null);
    await new Promise((r) => setTimeout(r, 20));
    const again = await claimThreadRequests(t.db, 'slack', 'c', opts);
    expect(again.map((r) => [r.id, r.attempts])).toEqual([[rest[0]!.id, 2]]);
    const failed = await t.db
      .selectFrom('chat_thread_requests')
      .select(['status', 'last_error'])
      .where('id', '=', rest[1]!.id)
      .executeTakeFirstOrThrow();
    expect(failed).toEqual({ status: 'failed', last_error: 'channel gone' });

    // A lapsed claim (its process died) is taken by another.
    const short = await claimThreadRequests(t.db, 'slack', 'd', { leaseMs: 1, limit: 10 });
    expect(short).toHaveLength(0);
    await t.db
      .updateTable('chat_thread_requests')
      .set({ claimed_until: new Date(0) })
      .where('id', '=', rest[2]!.id)
      .execute();
    const taken = await claimThreadRequests(t.db, 'slack', 'e', opts);
    expect(taken.map((r) => r.id)).toEqual([rest[2]!.id]);
  });
});
