import { describe, expect, it } from 'vitest';
import { listOutbox } from '../../db/repositories/chat-outbox.ts';
import { createFakeLlm } from '../fakes/fake-llm.ts';
import { chatWorld } from '../helpers/chat-world.ts';
import { testDialects } from '../helpers/db.ts';
import { type ArenaInstance, slowTurn, stallTurn, startEmulator, startInstance } from './arena-world.ts';
import { expectThreadMatchesDebate, ownPosts, startDebateInChannel, until } from './thread-check.ts';

describe.each(testDialects())('killing the Discord bot mid-debate on %s', (dialect) => {
  // Tight enough that posts queue up, so a kill lands with sends in flight.
  const world = chatWorld(dialect, () =>
    startEmulator({
      webhook: { limit: 3, windowMs: 600 },
      channel: { limit: 8, windowMs: 1000 },
    }),
  );
  let instance: ArenaInstance | undefined;
  world.cleanup(() => instance?.kill());

  it('continues the thread after two crashes with no duplicate and no missing post', async () => {
    const { t, emu, personas } = world;
    const words = Array.from({ length: 40 }, (_, n) => `w${n}`).join(' ');
    // Turn 3 streams slowly. The first two processes never finish it (it waits until they are
    // killed): the first crash comes before turn 3 is committed and the second while its preview is
    // on screen, however far the engine runs ahead of delivery on a busy machine.
    const llm = (stall: boolean) => {
      const fake = createFakeLlm({
        respond: (req) =>
          req.metadata?.task === 'turn' && req.metadata.turnIndex === 3 ? `${words}.` : undefined,
      });
      const slow = slowTurn(slowTurn(fake, 'all', 15), 3, 150);
      return stall ? stallTurn(slow, 3) : slow;
    };
    const start = (stall = false) =>
      startInstance({ db: t.db, emu, llm: llm(stall), personas, instanceId: 'node-a' });
    instance = await start(true);
    const { threadId, debateId } = await startDebateInChannel(emu, t.db, 'Crash-tolerant carpooling');

    // First crash: right after a post reached Discord, most likely before it was recorded.
    await emu.waitFor(
      () => ownPosts(emu, threadId).filter((m) => m.webhookId).length >= 2,
      30_000,
      'two persona posts',
    );
    await instance.kill();
    const seenBefore = new Set(ownPosts(emu, threadId).map((m) => m.id));
    instance = await start(true);
    // Second crash: while the restarted process is still writing a message (its preview has no
    // outbox row yet).
    const preview = await emu.waitFor(
      () =>
        ownPosts(emu, threadId).find(
          (m) =>
            m.webhookId && !seenBefore.has(m.id) && m.content.startsWith('w0 w1') && m.content.endsWith(' …'),
        ),
      30_000,
      'a streaming preview',
    );
    await instance.kill();
    instance = await start();

    await until(
      async () => {
        const d = await instance!.arena.getDebate(debateId);
        return d && d.status !== 'active' && d.status !== 'paused' && d;
      },
      'debate end',
      60_000,
    );
    await instance.discord.bot.idle();
    expect((await instance.arena.getDebate(debateId))!.status).toBe('completed');
    await expectThreadMatchesDebate(emu, instance.arena, threadId, debateId, personas);
    const binding = (await t.db
      .selectFrom('chat_threads')
      .select('id')
      .where('thread_id', '=', threadId)
      .executeTakeFirstOrThrow())!;
    expect((await listOutbox(t.db, binding.id)).every((r) => r.status === 'sent')).toBe(true);
    // The abandoned preview was cleaned up; the turn was written again and delivered once.
    expect(emu.message(preview.id)!.deleted).toBe(true);
    // The restarted bots reused the stored webhook.
    expect(emu.webhooks(emu.seed.channels.ideas)).toHaveLength(1);
  }, 120_000);
});
