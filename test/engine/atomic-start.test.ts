import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBindingsByDebate, insertThreadBinding } from '../../db/repositories/chat.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';
import { createHarness } from './harness.ts';

// A debate started from chat is created together with its thread binding, or not at all: a crash
// (or any failure) between the two can no longer leave a debate spending budget with no thread.
describe.each(testDialects())('starting a debate bound to a thread on %s', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(() => t.dispose());

  const thread = (id: string, debateId: string) => ({
    platform: 'discord' as const,
    workspaceId: 'guild',
    channelId: 'ideas',
    threadId: id,
    debateId,
    createdBy: 'alice',
  });

  it('commits the binding in the debate’s own transaction', async () => {
    const h = await createHarness(t.db);
    const { debateId } = await h.arena.startDebate({
      idea: 'Bound from birth',
      origin: 'discord',
      withinCreation: async (trx, id) => {
        await insertThreadBinding(trx, thread('t-1', id));
      },
    });
    expect((await findBindingsByDebate(t.db, 'discord', debateId)).map((b) => b.threadId)).toEqual(['t-1']);
  });

  it('creates nothing — no debate, no idea, no event — when the binding fails', async () => {
    const h = await createHarness(t.db);
    const before = await t.db.selectFrom('debate_sessions').select('id').execute();
    const ideas = await t.db.selectFrom('ideas').select('id').execute();
    await expect(
      h.arena.startDebate({
        idea: 'Never half-made',
        origin: 'discord',
        withinCreation: async (trx, id) => {
          await insertThreadBinding(trx, thread('t-2', id));
          // The process dies here, as far as the database can tell: the transaction never commits.
          throw new Error('crash between start and bind');
        },
      }),
    ).rejects.toThrow('crash between start and bind');
    expect(await t.db.selectFrom('debate_sessions').select('id').execute()).toEqual(before);
    expect(await t.db.selectFrom('ideas').select('id').execute()).toEqual(ideas);
    expect(
      await t.db.selectFrom('chat_threads').select('id').where('thread_id', '=', 't-2').execute(),
    ).toEqual([]);
    expect(h.of('debate.created')).toEqual([]);
  });
});
