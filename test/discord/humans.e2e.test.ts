import { describe, expect, it } from 'vitest';
import { createFakeLlm } from '../fakes/fake-llm.ts';
import { chatWorld } from '../helpers/chat-world.ts';
import { testDialects } from '../helpers/db.ts';
import { startEmulator, startInstance } from './arena-world.ts';
import { expectThreadMatchesDebate, ownPosts, startDebateInChannel, until } from './thread-check.ts';

describe.each(testDialects())('people in a Discord debate thread on %s', (dialect) => {
  const world = chatWorld(dialect, () => startEmulator());

  it('injects a person’s message; @Handle and a reply choose who answers; long and flooding input get a notice', async () => {
    const { t, emu, personas } = world;
    // Convergence waits at its first verdict until the test lets it go, so people can speak mid-debate.
    let reachedConvergence!: () => void;
    const atConvergence = new Promise<void>((r) => {
      reachedConvergence = r;
    });
    let openConvergence!: () => void;
    const convergenceOpen = new Promise<void>((r) => {
      openConvergence = r;
    });
    const fake = createFakeLlm({
      respond: async (req) => {
        if (req.metadata?.task === 'verdict') {
          reachedConvergence();
          await convergenceOpen;
        }
        return undefined;
      },
    });
    const instance = await startInstance({ db: t.db, emu, llm: fake, personas });
    world.cleanup(() => instance.kill());
    const { alice, bob, carol } = emu.seed.users;
    const hold = fake.hold();
    const { threadId, debateId } = await startDebateInChannel(emu, t.db, 'Peer-to-peer GPU rental');
    const humans = async () =>
      (await instance.arena.getDebate(debateId))!.messages.filter((m) => m.authorKind === 'human');

    // The first turn is in flight (held) when Bob asks a persona by handle.
    await hold.next();
    emu.sendUserMessage({
      user: bob,
      channelId: threadId,
      content: 'What about @SecurityParanoid and sybil attacks?',
    });
    await until(async () => (await humans()).length === 1, 'first human message');
    hold.release();

    const first = (await humans())[0]!;
    expect(first).toMatchObject({
      agentName: 'Bob',
      agentId: `discord:${bob.id}`,
      content: 'What about @SecurityParanoid and sybil attacks?',
    });
    // The persona who answers a person's message references it.
    const answerTo = (id: string) => async () =>
      (await instance.arena.getDebate(debateId))!.messages.find(
        (m) => m.authorKind === 'persona' && m.references.includes(id),
      );
    expect((await until(answerTo(first.id), 'answer to Bob')).agentId).toBe('security_paranoid');

    // Carol replies to the post of another persona: that persona answers her. Meanwhile Alice posts a
    // 3000-character message (trimmed, with a notice) and Bob floods (one notice, the rest refused).
    const target = await emu.waitFor(
      () => ownPosts(emu, threadId).find((m) => m.webhookId && m.author.username !== 'Chris Oh'),
      20_000,
      'another persona post',
    );
    const targetPersona = personas.find((p) => p.name === target.author.username)!;
    await atConvergence;
    emu.sendUserMessage({
      user: carol,
      channelId: threadId,
      content: 'Why do you think so?',
      replyTo: target.id,
    });
    await until(async () => (await humans()).length === 2, 'reply injected');
    emu.sendUserMessage({ user: alice, channelId: threadId, content: `Long thought. ${'x'.repeat(2990)}` });
    for (let n = 0; n < 7; n++)
      emu.sendUserMessage({ user: bob, channelId: threadId, content: `quick point ${n}` });
    await until(async () => (await humans()).length === 7, 'long and flood messages');
    openConvergence();
    const second = (await humans())[1]!;
    expect(second).toMatchObject({ agentName: 'Carol', content: 'Why do you think so?' });
    // The engine was told whom Carol replied to, and that persona answered her.
    expect(second.metadata).toMatchObject({ human: { answerers: [targetPersona.id] } });
    const byTarget = await until(
      async () =>
        (await instance.arena.getDebate(debateId))!.messages.find(
          (m) =>
            m.agentId === targetPersona.id &&
            m.turnIndex > second.turnIndex &&
            m.references.includes(second.id),
        ),
      'answer to Carol',
    );
    expect(byTarget.authorKind).toBe('persona');

    const end = await until(async () => {
      const d = await instance.arena.getDebate(debateId);
      return d && d.status !== 'active' && d.status !== 'paused' && d;
    }, 'debate end');
    await instance.discord.bot.idle();
    expect(end.status).toBe('completed');

    const all = await humans();
    expect(all.find((m) => m.agentName === 'Alice')!.content.length).toBe(1500);
    expect(all.filter((m) => m.agentName === 'Bob').map((m) => m.content)).toEqual([
      'What about @SecurityParanoid and sybil attacks?',
      'quick point 0',
      'quick point 1',
      'quick point 2',
      'quick point 3',
    ]);
    const notices = ownPosts(emu, threadId)
      .filter((m) => m.webhookId === null && m.embeds.length === 0)
      .map((m) => m.content);
    expect(notices.filter((n) => n.includes(`<@${bob.id}>`) && n.includes('posting faster'))).toHaveLength(1);
    expect(notices.filter((n) => n.includes(`<@${alice.id}>`) && n.includes('1500 of 3004'))).toHaveLength(1);
    // Persona and bot posts never came back into the debate as people's messages.
    expect(all).toHaveLength(7);
    await expectThreadMatchesDebate(emu, instance.arena, threadId, debateId, personas);
    // Notices mention people without pinging anyone.
    for (const r of emu.requests.filter(
      (x) => x.method === 'POST' && x.path === `/channels/${threadId}/messages`,
    )) {
      expect(r.body).toMatchObject({ allowed_mentions: { parse: [] } });
    }
  });
});
