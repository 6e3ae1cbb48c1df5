import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autoDebate } from '../../app/jobs/auto-debate.ts';
import { addIdea } from '../../engine/signals/ideas.ts';
import { builtinCatalog } from '../../personas/index.ts';
import { committingBus, startBot } from '../bot/harness.ts';
import { createMemoryPlatform } from '../bot/memory-platform.ts';
import { createFakeArena } from '../fakes/fake-arena.ts';
import { createFixedClock } from '../fakes/fixed-clock.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

describe('debate.auto through the emulated platform', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('pglite');
  }, 120_000);
  afterAll(() => t.dispose());

  it('opens a thread in the configured channel and debates the top pending idea there', async () => {
    const personas = await builtinCatalog();
    const bus = committingBus(t.db);
    const fake = createFakeArena({ bus, personas, speakers: 2 });
    const mem = createMemoryPlatform();
    const bot = startBot({ platform: mem.platform, arena: fake, bus, db: t.db, personas });
    await bot.start();
    const clock = createFixedClock('2026-11-25T09:00:00.000Z');
    const deps = { db: t.db, clock };
    expect(await autoDebate({ db: t.db, arena: fake, target: unreachable() })).toEqual({
      started: false,
      reason: 'no pending idea',
    });
    await addIdea(deps, { title: 'A marketplace for idle GPUs', by: 'ana' });

    const result = await autoDebate({
      db: t.db,
      // The fake arena keeps ideas in memory: it is told the stored idea's title.
      arena: {
        ...fake,
        startDebate: (input) => fake.startDebate({ ...input, idea: 'A marketplace for idle GPUs' }),
      },
      target: {
        label: 'discord:guild/general',
        async openThread(title) {
          const thread = await mem.platform.openThread({ workspaceId: 'guild', channelId: 'general', title });
          return {
            bind: async (debateId) => void (await bot.bind({ thread, debateId, createdBy: 'debate.auto' })),
          };
        },
      },
    });
    expect(result).toMatchObject({
      started: true,
      title: 'A marketplace for idle GPUs',
      channel: 'discord:guild/general',
    });
    expect(mem.threads).toEqual([
      expect.objectContaining({ channelId: 'general', title: 'A marketplace for idle GPUs' }),
    ]);
    await fake.finished(String(result.debateId));
    await bot.idle();
    const posts = mem.posts.filter((p) => p.threadId === mem.threads[0]!.threadId);
    expect(posts.length).toBeGreaterThan(3);
    expect(posts.some((p) => /Debate finished/.test(p.embedTitle ?? ''))).toBe(true);
    bot.stop();
  }, 60_000);
});

function unreachable() {
  return {
    label: 'none',
    openThread: async (): Promise<never> => {
      throw new Error('no thread should open without a pending idea');
    },
  };
}
