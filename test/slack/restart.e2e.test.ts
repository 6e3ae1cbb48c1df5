import { describe, expect, it } from 'vitest';
import { unescapeMrkdwn } from '../../bot/slack/mrkdwn.ts';
import { listOutbox } from '../../db/repositories/chat-outbox.ts';
import { slowTurn, stallTurn } from '../discord/arena-world.ts';
import { until } from '../discord/thread-check.ts';
import { startSlackEmulator } from '../emulators/slack/index.ts';
import { createFakeLlm } from '../fakes/fake-llm.ts';
import { chatWorld } from '../helpers/chat-world.ts';
import { testDialects } from '../helpers/db.ts';
import { type SlackInstance, startSlackInstance } from './slack-world.ts';

describe.each(testDialects())('Slack delivery under rate limits and restarts on %s', (dialect) => {
  // Tight per-channel limits: the app must wait out 429 + Retry-After without losing a post.
  const world = chatWorld(dialect, () =>
    startSlackEmulator({
      rateLimits: { postMessage: { limit: 3, windowMs: 1000 }, update: { limit: 2, windowMs: 1000 } },
    }),
  );
  let instance: SlackInstance | undefined;
  world.cleanup(() => instance?.kill());

  it('delivers every post once and in order across rate limits and two crashes (HTTP, then Socket Mode)', async () => {
    const { t, emu, personas } = world;
    const words = Array.from({ length: 30 }, (_, n) => `w${n}`).join(' ');
    // Turn 3 streams slowly. The first two processes never finish it (it waits until they are
    // killed): the first crash comes before turn 3 is committed and the second while its preview is
    // on screen, however far the engine runs ahead of rate-limited delivery on a busy machine.
    const llm = (stall = false) => {
      const fake = createFakeLlm({
        respond: (req) =>
          req.metadata?.task === 'turn' && req.metadata.turnIndex === 3 ? `${words}.` : undefined,
      });
      const slow = slowTurn(slowTurn(fake, 'all', 10), 3, 120);
      return stall ? stallTurn(slow, 3) : slow;
    };
    instance = await startSlackInstance({
      db: t.db,
      emu,
      llm: llm(true),
      personas,
      mode: 'http',
      instanceId: 'a',
    });
    await emu.slashCommand({
      user: emu.seed.alice,
      channel: emu.seed.ideas,
      text: 'start Crash-tolerant carpooling rounds:1',
    });
    const root = await emu.waitFor(() => emu.roots(emu.seed.ideas)[0], 20_000, 'root');
    const { debate_id: debateId, id: bindingId } = await until(
      () =>
        t.db
          .selectFrom('chat_threads')
          .select(['debate_id', 'id'])
          .where('thread_id', '=', root.ts)
          .executeTakeFirst(),
      'binding',
    );
    const personaPosts = () => emu.thread(emu.seed.ideas, root.ts).filter((m) => m.username);

    // First crash right after a persona post reached Slack, likely before it was recorded.
    await emu.waitFor(() => personaPosts().length >= 2, 30_000, 'two persona posts');
    await instance.kill();
    const seenBefore = new Set(personaPosts().map((m) => m.ts));
    instance = await startSlackInstance({
      db: t.db,
      emu,
      llm: llm(true),
      personas,
      mode: 'socket',
      instanceId: 'b',
    });
    // Second crash while the restarted process is still writing a message (its preview has no
    // outbox row yet).
    await emu.waitFor(
      () =>
        personaPosts().find(
          (m) => !seenBefore.has(m.ts) && m.text.startsWith('w0 w1') && m.text.endsWith(' …'),
        ),
      30_000,
      'a streaming preview',
    );
    await instance.kill();
    instance = await startSlackInstance({
      db: t.db,
      emu,
      llm: llm(),
      personas,
      mode: 'http',
      instanceId: 'c',
    });

    await until(
      async () => {
        const d = await instance!.arena.getDebate(debateId);
        return d && d.status !== 'active' && d.status !== 'paused' && d;
      },
      'debate end',
      90_000,
    );
    await instance.slack.bot.idle();
    const detail = (await instance.arena.getDebate(debateId))!;
    expect(detail.status).toBe('completed');
    const committed = detail.messages.filter((m) => m.authorKind === 'persona');
    const posted = personaPosts();
    // Exactly the committed messages, once each, in turn order, with their final text.
    expect(posted.map((m) => m.username)).toEqual(committed.map((m) => m.agentName));
    expect(posted.map((m) => unescapeMrkdwn(m.text))).toEqual(
      committed.map((m) => m.content.replace(/\*\*(.+?)\*\*/gs, '*$1*')),
    );
    expect((await listOutbox(t.db, bindingId)).every((r) => r.status === 'sent')).toBe(true);
    expect(emu.rateLimitHits.length).toBeGreaterThan(0);
  }, 180_000);
});
