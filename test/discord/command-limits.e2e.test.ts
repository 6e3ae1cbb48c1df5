import { describe, expect, it } from 'vitest';
import { createChatLimits } from '../../bot/limits/chat-limits.ts';
import type { OptionValue } from '../emulators/discord/index.ts';
import { createFakeLlm } from '../fakes/fake-llm.ts';
import { chatWorld } from '../helpers/chat-world.ts';
import { testDialects } from '../helpers/db.ts';
import { startEmulator, startInstance } from './arena-world.ts';
import { boundDebate, until } from './thread-check.ts';

const EPHEMERAL = 64;
const SLOW_DOWN =
  /^⏳ Slow down: at most 3 \/arena commands and buttons a minute per person\. Try again in (\d+) s\.$/;

// #13: a person who spams commands, buttons or messages gets a clear private answer and nothing runs.
describe.each(testDialects())('per-person limits on Discord through discord.js on %s', (dialect) => {
  const world = chatWorld(dialect, () => startEmulator());

  it('answers the fourth command, button or start of a minute with "slow down" and runs nothing', async () => {
    const { t, emu, personas } = world;
    const fake = createFakeLlm();
    const limits = createChatLimits({ settings: { commandsPerMinute: 3, messagesPerMinute: 2 } });
    const instance = await startInstance({
      db: t.db,
      emu,
      llm: fake,
      personas,
      managerRole: 'Member',
      limits,
    });
    world.cleanup(() => instance.kill());
    const { users, channels } = emu.seed;
    const hold = fake.hold();
    world.cleanup(() => hold.release());

    const run = async (
      user: keyof typeof users,
      subcommand: string,
      options: Record<string, OptionValue> = {},
      channelId: string = channels.ideas,
    ) => {
      const i = emu.invokeCommand({ user: users[user], channelId, subcommand, options });
      await emu.waitFor(() => emu.interaction(i.id)!.acknowledgedAt !== null, 20_000, `/arena ${subcommand}`);
      expect(emu.interaction(i.id)!.deadlineMissed).toBe(false);
      return i;
    };
    const answer = (id: string) => emu.waitFor(() => emu.interactionReply(id), 20_000, 'answer');

    // Bob's three commands of this minute: a start and two status reads.
    const started = await run('bob', 'start', { idea: 'Repair café for bicycles', rounds: 1 });
    const card = await emu.waitFor(() => emu.threads[0], 20_000, 'thread');
    const debateId = await boundDebate(t.db, card.id);
    await emu.waitFor(
      () => emu.interactionReply(started.id)?.content.includes(`<#${card.id}>`),
      20_000,
      'start reply',
    );
    await hold.next();
    await run('bob', 'status', {}, card.id);
    await run('bob', 'status');

    // The fourth, `/arena stop` in his own debate's thread: refused privately, the debate runs on.
    const stop = await answer((await run('bob', 'stop', {}, card.id)).id);
    expect(stop.flags & EPHEMERAL).toBe(EPHEMERAL);
    const wait = Number(SLOW_DOWN.exec(stop.content)?.[1]);
    expect(stop.content).toMatch(SLOW_DOWN);
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(60);

    // The card's Pause button counts as a command too.
    const press = emu.clickButton({ user: users.bob, messageId: card.id, customId: 'arena:pause' });
    await emu.waitFor(() => emu.interaction(press.id)!.acknowledgedAt !== null, 20_000, 'button answered');
    const pressed = await answer(press.id);
    expect(pressed.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(pressed.content).toMatch(SLOW_DOWN);
    expect(emu.message(card.id)!.editedAt).toBeNull();

    // Another start: no thread, no debate.
    const again = await answer((await run('bob', 'start', { idea: 'Seed library at the school' })).id);
    expect(again.content).toMatch(SLOW_DOWN);
    expect(emu.threads).toHaveLength(1);
    expect(await instance.arena.listDebates()).toHaveLength(1);
    expect((await instance.arena.getDebate(debateId))!.status).toBe('active');

    // The limit is per person: Alice is answered as usual.
    const asked = await run('alice', 'status', {}, card.id);
    const alice = await emu.waitFor(
      () =>
        (emu.interactionReply(asked.id)?.embeds.length ?? 0) > 0 ? emu.interactionReply(asked.id) : undefined,
      20_000,
      'status card',
    );
    expect(alice.embeds[0]).toMatchObject({ title: 'Repair café for bicycles' });

    // Messages in a thread have their own limit (CHAT_MESSAGES_PER_MINUTE): the third is not added,
    // and one notice says so.
    for (const n of [1, 2, 3, 4])
      emu.sendUserMessage({ user: users.carol, channelId: card.id, content: `point ${n}` });
    const humans = async () =>
      (await instance.arena.getDebate(debateId))!.messages.filter((m) => m.authorKind === 'human');
    const notice = await emu.waitFor(
      () => emu.messages(card.id).find((m) => m.webhookId === null && m.content.includes('posting faster')),
      20_000,
      'flood notice',
    );
    expect(notice.content).toContain(`<@${users.carol.id}>`);
    await until(async () => (await humans()).length === 2, 'two messages added');
    await emu.settle();
    expect((await humans()).map((m) => m.content)).toEqual(['point 1', 'point 2']);
    expect(emu.messages(card.id).filter((m) => m.content.includes('posting faster'))).toHaveLength(1);
    expect(emu.violations).toEqual([]);
  });
});
