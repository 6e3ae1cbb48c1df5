import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autoDebate, type DebateThreadTarget } from '../../app/jobs/auto-debate.ts';
import { addIdea } from '../../engine/signals/ideas.ts';
import { builtinCatalog } from '../../personas/index.ts';
import { committingBus, startBot } from '../bot/harness.ts';
import { createMemoryPlatform } from '../bot/memory-platform.ts';
import { until } from '../discord/thread-check.ts';
import { createFakeArena } from '../fakes/fake-arena.ts';
import { createFixedClock } from '../fakes/fixed-clock.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const TARGET: DebateThreadTarget = {
  label: 'discord:guild/general',
  platform: 'discord',
  workspaceId: 'guild',
  channelId: 'general',
};

// The in-process path (role `all`): the job writes the debate with a thread request, and the bot of
// the same process opens that thread and delivers the debate into it.
describe('debate.auto through the emulated platform', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('pglite');
  }, 120_000);
  afterAll(() => t.dispose());

  it('asks for a thread with the debate; the bot opens it, binds it and posts the debate there', async () => {
    const personas = await builtinCatalog();
    const bus = committingBus(t.db);
    const fake = createFakeArena({ bus, db: t.db, personas, speakers: 2 });
    const mem = createMemoryPlatform();
    const bot = startBot({ platform: mem.platform, arena: fake, bus, db: t.db, personas });
    await bot.start();
    const clock = createFixedClock('2026-11-25T09:00:00.000Z');
    expect(await autoDebate({ db: t.db, arena: fake, target: TARGET })).toEqual({
      started: false,
      reason: 'no pending idea',
    });
    await addIdea({ db: t.db, clock }, { title: 'A marketplace for idle GPUs', by: 'ana' });

    const result = await autoDebate({
      db: t.db,
      // The fake arena keeps ideas in memory: it is told the stored idea's title.
      arena: {
        ...fake,
        startDebate: (input) => fake.startDebate({ ...input, idea: 'A marketplace for idle GPUs' }),
      },
      target: TARGET,
    });
    expect(result).toMatchObject({
      started: true,
      title: 'A marketplace for idle GPUs',
      channel: 'discord:guild/general',
      thread: 'requested',
    });
    const debateId = String(result.debateId);
    const request = await until(
      () =>
        t.db
          .selectFrom('chat_thread_requests')
          .selectAll()
          .where('debate_id', '=', debateId)
          .where('status', '=', 'done')
          .executeTakeFirst(),
      'request done',
    );
    expect(mem.threads).toEqual([
      expect.objectContaining({ channelId: 'general', title: 'A marketplace for idle GPUs' }),
    ]);
    const binding = await t.db
      .selectFrom('chat_threads')
      .selectAll()
      .where('debate_id', '=', debateId)
      .executeTakeFirstOrThrow();
    expect(binding).toMatchObject({ thread_id: request.thread_id, created_by: 'debate.auto' });
    await fake.finished(debateId);
    await until(
      async () =>
        mem.posts.some((p) => p.threadId === binding.thread_id && /Debate finished/.test(p.embedTitle ?? '')),
      'end banner',
    );
    await bot.idle();
    expect(mem.posts.filter((p) => p.threadId === binding.thread_id).length).toBeGreaterThan(3);
    // Opened once: a later sweep finds nothing left to open.
    expect(mem.threads).toHaveLength(1);
    bot.stop();
  }, 60_000);
});
