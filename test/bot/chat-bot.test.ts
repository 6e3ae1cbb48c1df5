import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STREAMING_SUFFIX } from '../../bot/constants.ts';
import { DeliveryError } from '../../bot/platform.ts';
import { findBindingByThread } from '../../db/repositories/chat.ts';
import { listOutbox } from '../../db/repositories/chat-outbox.ts';
import { createMemoryBus } from '../../engine/bus/memory-bus.ts';
import type { EventBus } from '../../engine/events.ts';
import { builtinCatalog } from '../../personas/index.ts';
import type { Persona } from '../../personas/types.ts';
import { createFakeArena } from '../fakes/fake-arena.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';
import { committingBus, startBot } from './harness.ts';
import { createMemoryPlatform, type MemoryPlatform } from './memory-platform.ts';

const BOB = { id: '77', displayName: 'Bob', canManage: false };

/** Every persona message of the debate appears exactly once, whole, in turn order, after its banner. */
async function expectThreadMatchesDebate(
  t: TestDatabase,
  mem: MemoryPlatform,
  arena: ReturnType<typeof createFakeArena>,
  threadId: string,
) {
  const binding = (await findBindingByThread(t.db, 'discord', 'guild', threadId))!;
  const detail = (await arena.getDebate(binding.debateId))!;
  const visible = mem.visible(threadId);
  const rows = await listOutbox(t.db, binding.id);
  expect(
    rows.filter((r) => r.status !== 'sent').map((r) => [r.kind, r.status, r.lastError, r.dedupKey]),
  ).toEqual([]);
  // The thread is exactly the outbox, post for post.
  expect(visible.map((p) => p.id)).toEqual(rows.flatMap((r) => r.remoteIds));
  const personaTexts = rows
    .filter((r) => r.kind === 'persona')
    .map((r) => r.remoteIds.map((id) => visible.find((p) => p.id === id)!.text).join(' '));
  const expected = detail.messages.filter((m) => m.authorKind === 'persona');
  expect(personaTexts).toHaveLength(expected.length);
  expected.forEach((m, i) => {
    expect(personaTexts[i]!.replace(/\s+/g, ' ')).toBe(m.content.replace(/\s+/g, ' '));
  });
  const banners = visible.filter((p) => p.embedTitle !== null).map((p) => p.embedTitle);
  expect(banners[0]).toMatch(/^Divergence · round 1\//);
  expect(banners).toContain('Convergence');
  expect(banners).toContain('Planning');
  expect(banners.at(-1)).toMatch(/^Debate finished/);
  expect(new Set(banners).size).toBe(banners.length);
}

async function waitUntil(ok: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(testDialects())('platform-neutral chat bot on %s', (dialect) => {
  let t: TestDatabase;
  let personas: readonly Persona[];
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    personas = await builtinCatalog();
  });
  afterAll(() => t.dispose());

  function setup(opts: { chunkMs?: number } = {}) {
    const bus: EventBus = committingBus(t.db);
    const arena = createFakeArena({ bus, db: t.db, personas, chunkMs: opts.chunkMs ?? 0, speakers: 2 });
    const mem = createMemoryPlatform();
    const bot = startBot({ platform: mem.platform, arena, bus, db: t.db, personas });
    return { bus, arena, mem, bot };
  }

  it('starts a debate in a new thread and delivers every phase in order, under persona names', async () => {
    const { arena, mem, bot } = setup();
    await bot.start();
    const out = await mem.command({
      subcommand: 'start',
      options: { idea: 'A marketplace for idle GPUs', rounds: 1 },
    });
    expect(out.deferred).toEqual({ ephemeral: false });
    expect(out.replies).toHaveLength(1);
    expect(out.replies[0]!.ok).toBe(true);
    const thread = mem.threads[0]!;
    expect(thread.title).toBe('A marketplace for idle GPUs');
    expect(out.replies[0]!.text).toContain(`<#${thread.threadId}>`);
    const binding = (await findBindingByThread(t.db, 'discord', 'guild', thread.threadId))!;
    await arena.finished(binding.debateId);
    await bot.idle();
    await expectThreadMatchesDebate(t, mem, arena, thread.threadId);
    const speaking = mem.visible(thread.threadId).filter((p) => p.username !== null);
    const names = new Set(personas.map((p) => p.name));
    for (const p of speaking) {
      expect(names.has(p.username!)).toBe(true);
      expect(p.avatarUrl).toMatch(/^https:\/\/arena\.example\/avatars\/[a-z_]+\.png$/);
    }
    bot.stop();
  });

  it('never lets a preview overtake a committed turn whose wake-up never came (committed elsewhere)', async () => {
    // As when another process commits a turn and its event is lost: the row is in the log, the bot
    // hears nothing of it, and the next turn starts streaming. Its preview must not be posted ahead
    // of the committed turn, which would leave the thread out of turn order.
    let personaMessages = 0;
    const inner = createMemoryBus();
    const lossy: EventBus = {
      async publish(e) {
        if (e.type === 'message.created' && e.message.authorKind === 'persona' && ++personaMessages === 2)
          return;
        await inner.publish(e);
      },
      subscribe: (fn) => inner.subscribe(fn),
      close: () => inner.close(),
    };
    const bus = committingBus(t.db, lossy);
    const arena = createFakeArena({ bus, db: t.db, personas, chunkMs: 40, speakers: 2 });
    const mem = createMemoryPlatform();
    const bot = startBot({ platform: mem.platform, arena, bus, db: t.db, personas });
    await bot.start();
    await mem.command({ subcommand: 'start', options: { idea: 'Previews wait their turn', rounds: 1 } });
    const thread = mem.threads.at(-1)!;
    const binding = (await findBindingByThread(t.db, 'discord', 'guild', thread.threadId))!;
    await arena.finished(binding.debateId);
    await bot.idle();
    expect(personaMessages).toBeGreaterThan(2);
    // The thread is exactly the outbox in order: no post sits where an earlier turn belongs.
    await expectThreadMatchesDebate(t, mem, arena, thread.threadId);
    bot.stop();
  }, 120_000);

  it('posts a message anew below a notice that came while its preview was on screen', async () => {
    // A pause made while a turn streams: the turn still commits, after the pause in the log. Edited
    // in place, the preview would put that message above the notice; it is posted anew instead.
    const { arena, mem, bot } = setup({ chunkMs: 120 });
    await bot.start();
    await mem.command({ subcommand: 'start', options: { idea: 'Paused mid-sentence', rounds: 1 } });
    const thread = mem.threads.at(-1)!;
    const binding = (await findBindingByThread(t.db, 'discord', 'guild', thread.threadId))!;
    const texts = () => mem.visible(thread.threadId).map((p) => p.text);
    await waitUntil(() => texts().some((text) => text.endsWith(STREAMING_SUFFIX)), 'a preview');
    expect(await arena.pause(binding.debateId)).toEqual({ ok: true });
    await waitUntil(() => texts().some((text) => text.startsWith('⏸️')), 'the pause notice');
    expect(await arena.resume(binding.debateId)).toEqual({ ok: true });
    await arena.finished(binding.debateId);
    await bot.idle();
    // The thread is exactly the outbox, in log order: no preview left, none edited above the notice.
    await expectThreadMatchesDebate(t, mem, arena, thread.threadId);
    const first = (await arena.getDebate(binding.debateId))!.messages[0]!;
    const shown = texts();
    expect(shown.indexOf(first.content)).toBeGreaterThan(shown.findIndex((text) => text.startsWith('⏸️')));
    expect(mem.calls).toContain('delete');
    bot.stop();
  }, 60_000);

  it('retries failed posts with backoff without losing or reordering anything', async () => {
    const { arena, mem, bot } = setup();
    await bot.start();
    mem.failNext('post', new DeliveryError('retryable', 'HTTP 502'), 3);
    await mem.command({ subcommand: 'start', options: { idea: 'Flaky network idea', rounds: 1 } });
    const thread = mem.threads[0]!;
    const binding = (await findBindingByThread(t.db, 'discord', 'guild', thread.threadId))!;
    await arena.finished(binding.debateId);
    await bot.idle();
    await expectThreadMatchesDebate(t, mem, arena, thread.threadId);
    const rows = await listOutbox(t.db, binding.id);
    expect(rows.some((r) => r.attempts > 0)).toBe(true);
    bot.stop();
  });

  it('after a crash between a send and its commit, a new bot adopts the post instead of repeating it', async () => {
    const { bus, arena, mem, bot } = setup({ chunkMs: 2 });
    await bot.start();
    let posts = 0;
    const crashed = new Promise<void>((resolve) => {
      mem.setAfterPost(() => {
        // The fourth post reaches the platform, then the process "dies" before recording it.
        if (++posts === 4) {
          bot.stop();
          resolve();
        }
      });
    });
    await mem.command({ subcommand: 'start', options: { idea: 'Crash-proof delivery', rounds: 2 } });
    const thread = mem.threads[0]!;
    const binding = (await findBindingByThread(t.db, 'discord', 'guild', thread.threadId))!;
    await crashed;
    mem.setAfterPost(null);
    await new Promise((r) => setTimeout(r, 30));
    const second = startBot({ platform: mem.platform, arena, bus, db: t.db, personas });
    await second.start();
    await arena.finished(binding.debateId);
    await second.idle();
    await expectThreadMatchesDebate(t, mem, arena, thread.threadId);
    expect(mem.calls).toContain('recent');
    second.stop();
  });

  it('refuses what people may not do, with short private answers, and touches nothing', async () => {
    const { arena, mem, bot } = setup();
    await bot.start();
    const denied = await mem.command({ subcommand: 'start', options: { idea: 'x' }, user: BOB });
    expect(denied.deferred).toBeNull();
    expect(denied.replies).toEqual([{ ok: false, text: expect.stringMatching(/Manage Threads/) }]);
    const unknown = await mem.command({ subcommand: 'dance' });
    expect(unknown.replies[0]).toEqual({
      ok: false,
      text: expect.stringMatching(/Unknown subcommand “dance”.*start/),
    });
    const empty = await mem.command({ subcommand: 'start', options: { idea: '  ' } });
    expect(empty.replies[0]).toEqual({ ok: false, text: expect.stringMatching(/idea is empty/) });
    const huge = await mem.command({ subcommand: 'start', options: { idea: 'y'.repeat(5000) } });
    expect(huge.replies[0]).toEqual({ ok: false, text: expect.stringMatching(/5000 characters.*1000/) });
    const outside = await mem.command({ subcommand: 'pause' });
    expect(outside.replies[0]).toEqual({ ok: false, text: expect.stringMatching(/inside a debate thread/) });
    expect(arena.calls).toEqual([]);
    expect(mem.threads).toHaveLength(0);
    // Everyone may read.
    const status = await mem.command({ subcommand: 'status', user: BOB });
    expect(status.replies[0]!.ok).toBe(true);
    bot.stop();
  });

  it('runs thread commands against the thread’s debate and brings people into it', async () => {
    const { arena, mem, bot } = setup({ chunkMs: 5 });
    await bot.start();
    await mem.command({ subcommand: 'start', options: { idea: 'Humans in the loop', rounds: 2 } });
    const thread = mem.threads[0]!;
    const inThread = { channelId: thread.threadId, parentChannelId: thread.channelId };
    const binding = (await findBindingByThread(t.db, 'discord', 'guild', thread.threadId))!;

    const paused = await mem.command({ subcommand: 'pause', ...inThread });
    expect(paused.replies[0]).toMatchObject({ ok: true });
    // The fake arena finishes the turn it is in before it halts.
    await new Promise((r) => setTimeout(r, 200));
    const again = await mem.command({ subcommand: 'pause', ...inThread });
    expect(again.replies[0]).toEqual({ ok: false, text: expect.stringMatching(/already paused/) });
    const status = await mem.command({ subcommand: 'status', user: BOB, ...inThread });
    expect(status.replies[0]).toMatchObject({
      ok: true,
      embed: { fields: expect.arrayContaining([{ name: 'Status', value: 'paused (user)', inline: true }]) },
    });

    await mem.human({ threadId: thread.threadId, text: 'What about @SecurityParanoid and sybil attacks?' });
    const detail = (await arena.getDebate(binding.debateId))!;
    const human = detail.messages.find((m) => m.authorKind === 'human')!;
    expect(human).toMatchObject({
      agentName: 'Bob',
      agentId: 'discord:77',
      content: 'What about @SecurityParanoid and sybil attacks?',
    });

    // Flooding: the sixth message within a minute is refused with one notice, not dropped silently.
    for (let i = 0; i < 7; i++) await mem.human({ threadId: thread.threadId, text: `point ${i}` });
    const long = 'z'.repeat(3000);
    await mem.human({ threadId: thread.threadId, text: long, author: { id: '88', displayName: 'Carol' } });
    const resumed = await mem.command({ subcommand: 'resume', ...inThread });
    expect(resumed.replies[0]).toMatchObject({ ok: true });
    await arena.finished(binding.debateId);
    await bot.idle();

    const humans = (await arena.getDebate(binding.debateId))!.messages.filter(
      (m) => m.authorKind === 'human',
    );
    expect(humans.map((m) => m.content)).toEqual([
      'What about @SecurityParanoid and sybil attacks?',
      'point 0',
      'point 1',
      'point 2',
      'point 3',
      'z'.repeat(1500),
    ]);
    const notices = mem
      .visible(thread.threadId)
      .filter((p) => p.username === null && p.embedTitle === null)
      .map((p) => p.text);
    expect(notices.filter((n) => n.includes('posting faster'))).toHaveLength(1);
    expect(notices.some((n) => n.includes('<@88>') && n.includes('1500 of 3000'))).toBe(true);
    expect(notices.some((n) => n.startsWith('⏸️'))).toBe(true);

    // A reply to a persona's post names that persona for the engine.
    const personaPost = mem.visible(thread.threadId).find((p) => p.username !== null)!;
    const calls: unknown[] = [];
    const original = arena.injectHuman;
    arena.injectHuman = async (id, input) => {
      calls.push(input);
      return original(id, input);
    };
    await mem.human({
      threadId: thread.threadId,
      text: 'why?',
      replyToPostId: personaPost.id,
      author: { id: '99', displayName: 'Dan' },
    });
    const persona = personas.find((p) => p.name === personaPost.username)!;
    expect(calls[0]).toMatchObject({ replyToPersonaId: persona.id });
    await bot.idle();
    const ended = mem.visible(thread.threadId).at(-1)!;
    expect(ended.text).toMatch(/<@99>.*has ended/);

    const exported = await mem.command({ subcommand: 'export', ...inThread });
    expect(exported.replies[0]).toMatchObject({
      ok: true,
      file: { name: expect.stringMatching(/^humans-in-the-loop-.*\.md$/) },
    });
    bot.stop();
  });
});
