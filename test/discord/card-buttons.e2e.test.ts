import { describe, expect, it } from 'vitest';
import type { StoredMessage } from '../emulators/discord/index.ts';
import { createFakeLlm } from '../fakes/fake-llm.ts';
import { chatWorld } from '../helpers/chat-world.ts';
import { testDialects } from '../helpers/db.ts';
import { type ArenaInstance, startEmulator, startInstance } from './arena-world.ts';
import { boundDebate, until } from './thread-check.ts';

const EPHEMERAL = 64;

type Button = { custom_id: string; label: string };
const buttons = (m: StoredMessage) =>
  m.components.flatMap((row) => (row as { components: Button[] }).components.map((b) => b.custom_id));
const cardEmbed = (m: StoredMessage) => m.embeds[0] as { title: string; description?: string };

describe.each(testDialects())('the debate card’s buttons in Discord on %s', (dialect) => {
  const world = chatWorld(dialect, () => startEmulator());
  // Started by the first test; the second exports the debate it left behind.
  let instance: ArenaInstance | undefined;
  world.cleanup(() => instance?.kill());
  let threadId = '';
  let debateId = '';

  it('pauses and resumes from the root card, updated in place; refuses a person without permission, privately; exports', async () => {
    const { t, emu, personas } = world;
    const fake = createFakeLlm();
    // Members with the "Member" role (bob) may start; carol has no role and no Manage Threads.
    const running = await startInstance({ db: t.db, emu, llm: fake, personas, managerRole: 'Member' });
    instance = running;
    const { users, channels } = emu.seed;
    const hold = fake.hold();
    const started = emu.invokeCommand({
      user: users.bob,
      channelId: channels.ideas,
      subcommand: 'start',
      options: { idea: 'Peer-to-peer GPU rental', rounds: 1 },
    });
    // The root card sits in the channel; the thread starts from it and so has the card's id.
    const card = await emu.waitFor(
      () => emu.messages(channels.ideas).find((m) => m.components.length > 0),
      20_000,
      'root card',
    );
    expect(cardEmbed(card).title).toBe('🧠 Peer-to-peer GPU rental');
    expect(buttons(card)).toEqual(['arena:pause', 'arena:stop', 'arena:export']);
    const thread = await emu.waitFor(() => emu.threads[0], 10_000, 'thread');
    expect(thread.id).toBe(card.id);
    expect(thread.parentId).toBe(channels.ideas);
    await emu.waitFor(
      () => emu.interactionReply(started.id)?.content.includes(`<#${card.id}>`),
      20_000,
      'start reply',
    );
    threadId = card.id;
    debateId = await boundDebate(t.db, card.id);
    const status = async () => (await running.arena.getDebate(debateId))!.status;
    await hold.next();

    /** Presses a button and waits for the interaction to be answered (in time). */
    const press = async (user: keyof typeof users, action: string) => {
      const i = emu.clickButton({ user: users[user], messageId: card.id, customId: `arena:${action}` });
      await emu.waitFor(() => emu.interaction(i.id)!.acknowledgedAt !== null, 20_000, `${action} answered`);
      expect(emu.interaction(i.id)!.deadlineMissed).toBe(false);
      return i;
    };

    // Carol may not pause: a refusal only she sees; the debate runs on and the card is untouched.
    const refused = await press('carol', 'pause');
    const refusal = emu.interactionReply(refused.id)!;
    expect(refusal.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(refusal.content).toMatch(/Only members with Manage Threads or the Member role can pause debates/);
    expect(await status()).toBe('active');
    expect(emu.message(card.id)!.editedAt).toBeNull();

    // Bob started it: Pause works, and the card itself now says so and offers Resume instead.
    await press('bob', 'pause');
    await until(async () => (await status()) === 'paused', 'paused');
    const paused = await emu.waitFor(
      () => buttons(emu.message(card.id)!).includes('arena:resume') && emu.message(card.id),
      20_000,
      'card shows paused',
    );
    expect(cardEmbed(paused).title).toBe('🧠 Peer-to-peer GPU rental');
    expect(cardEmbed(paused).description).toBe(`⏸️ Paused by <@${users.bob.id}>.`);
    expect(buttons(paused)).toEqual(['arena:resume', 'arena:stop', 'arena:export']);
    hold.release();

    // Alice has Manage Threads: she may resume a debate someone else started.
    await press('alice', 'resume');
    await until(async () => (await status()) !== 'paused', 'resumed');
    const resumed = await emu.waitFor(
      () => buttons(emu.message(card.id)!).includes('arena:pause') && emu.message(card.id),
      20_000,
      'card shows running',
    );
    expect(cardEmbed(resumed).description).toBe(`▶️ Running — resumed by <@${users.alice.id}>.`);
    // Edited in place: still one card in the channel, under the same id.
    expect(emu.messages(channels.ideas).filter((m) => m.components.length > 0)).toHaveLength(1);
    expect(emu.message(card.id)!.editedAt).not.toBeNull();

    await until(async () => ['completed', 'failed', 'cancelled'].includes(await status()), 'end', 90_000);
    // Anyone may export: the file comes back to the person who pressed, privately.
    const exported = await press('carol', 'export');
    const file = await emu.waitFor(
      () => emu.interactionReply(exported.id)?.attachments[0] && emu.interactionReply(exported.id),
      20_000,
      'export file',
    );
    expect(file.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(file.attachments[0]!.filename).toMatch(/^peer-to-peer-gpu-rental-[0-9a-f]{8}\.md$/);
    expect(file.attachments[0]!.data.toString('utf8')).toMatch(/^# Peer-to-peer GPU rental/);
    await emu.settle();
    expect(emu.violations).toEqual([]);
  });

  it('exports as JSON with `/arena export format:json` typed in the thread', async () => {
    const { emu } = world;
    expect(debateId).not.toBe('');
    const i = emu.invokeCommand({
      user: emu.seed.users.carol,
      channelId: threadId,
      subcommand: 'export',
      options: { format: 'json' },
    });
    const reply = await emu.waitFor(
      () => emu.interactionReply(i.id)?.attachments[0] && emu.interactionReply(i.id),
      20_000,
      'export reply',
    );
    const file = reply.attachments[0]!;
    expect(file.filename).toMatch(/^peer-to-peer-gpu-rental-[0-9a-f]{8}\.json$/);
    const detail = JSON.parse(file.data.toString('utf8')) as {
      id: string;
      title: string;
      messages: unknown[];
    };
    expect(detail.id).toBe(debateId);
    expect(detail.title).toBe('Peer-to-peer GPU rental');
    expect(detail.messages.length).toBe((await instance!.arena.getDebate(debateId))!.messages.length);

    // Anything else is refused with what to type instead (Discord offers only the two choices).
    const bad = emu.invokeCommand({
      user: emu.seed.users.carol,
      channelId: threadId,
      subcommand: 'export',
      options: { format: 'pdf' },
    });
    const refusal = await emu.waitFor(() => emu.interactionReply(bad.id), 20_000, 'refusal');
    expect(refusal.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(refusal.content).toBe('Export as `md` (the default) or `json`.');
  });
});
