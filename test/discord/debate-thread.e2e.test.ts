import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getWebhook } from '../../db/repositories/chat.ts';
import { listOutbox } from '../../db/repositories/chat-outbox.ts';
import { builtinCatalog } from '../../personas/index.ts';
import type { Persona } from '../../personas/types.ts';
import type { DiscordEmulator } from '../emulators/discord/index.ts';
import { createFakeLlm } from '../fakes/fake-llm.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';
import { testSecrets } from '../helpers/secrets.ts';
import { type ArenaInstance, slowTurn, smallCast, startEmulator, startInstance } from './arena-world.ts';
import { expectThreadMatchesDebate, ownPosts, until } from './thread-check.ts';

// A long answer for one turn, so a message has to be split over several Discord posts.
const LONG = Array.from(
  { length: 40 },
  (_, i) => `Point ${i + 1}: the marketplace needs proof that idle GPUs are reliable enough for paying jobs.`,
).join(' ');

describe.each(testDialects())('Discord debate threads on %s', (dialect) => {
  let t: TestDatabase;
  let personas: Persona[];
  let emu: DiscordEmulator | undefined;
  let instance: ArenaInstance | undefined;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    personas = smallCast(await builtinCatalog());
  });
  afterEach(async () => {
    await instance?.kill();
    await emu?.close();
    instance = undefined;
    emu = undefined;
  });
  afterAll(() => t.dispose());

  async function startDebate(channelId: string, idea: string) {
    const i = emu!.invokeCommand({
      user: emu!.seed.users.alice,
      channelId,
      subcommand: 'start',
      options: { idea, rounds: 1 },
    });
    const reply = await emu!.waitFor(
      () => emu!.interactionReply(i.id)?.content.includes('Debate started') && emu!.interactionReply(i.id),
      20_000,
      'start reply',
    );
    const threadId = /<#(\d+)>/.exec(reply.content)![1]!;
    return { interaction: i, threadId };
  }

  async function waitDone(threadId: string) {
    const row = await until(
      () =>
        t.db
          .selectFrom('chat_threads')
          .select('debate_id')
          .where('thread_id', '=', threadId)
          .executeTakeFirst(),
      'binding',
    );
    await until(async () => {
      const d = await instance!.arena.getDebate(row.debate_id);
      return d && ['completed', 'cancelled', 'failed'].includes(d.status);
    }, 'debate end');
    await instance!.discord.bot.idle();
    return row.debate_id;
  }

  it('runs a whole debate in a new thread: deferred reply, banner, one webhook, persona names and avatars', async () => {
    emu = await startEmulator();
    const llm = createFakeLlm({
      respond: (req) => (req.metadata?.task === 'turn' && req.metadata.turnIndex === 1 ? LONG : undefined),
    });
    instance = await startInstance({ db: t.db, emu, llm, personas });
    const { interaction, threadId } = await startDebate(
      emu.seed.channels.ideas,
      'A marketplace for idle GPUs',
    );
    expect(emu.interactionResponses(interaction.id)[0]!.callbackType).toBe(5);
    expect(emu.interaction(interaction.id)!.deadlineMissed).toBe(false);
    const thread = emu.threads.find((c) => c.id === threadId)!;
    expect(thread).toMatchObject({
      type: 11,
      name: 'A marketplace for idle GPUs',
      parentId: emu.seed.channels.ideas,
    });

    const debateId = await waitDone(threadId);
    const detail = (await instance.arena.getDebate(debateId))!;
    expect(detail.status).toBe('completed');
    expect(new Set(detail.messages.map((m) => m.phase))).toEqual(
      new Set(['divergence', 'convergence', 'planning']),
    );
    const { posts } = await expectThreadMatchesDebate(emu, instance.arena, threadId, debateId, personas);
    expect(posts.filter((p) => p.content.startsWith('Point 1:')).length).toBe(1);
    expect(posts.some((p) => p.content.endsWith('paying jobs.') && p.content.length > 1500)).toBe(true);

    // One webhook for the channel, stored with its token, used with thread_id and no mentions.
    const hooks = emu.webhooks(emu.seed.channels.ideas);
    expect(hooks).toHaveLength(1);
    const stored = await getWebhook(t.db, 'discord', emu.seed.channels.ideas);
    expect(stored).toMatchObject({ webhookId: hooks[0]!.id });
    expect(testSecrets.open(stored!.token)).toBe(hooks[0]!.token);
    const executes = emu.requests.filter(
      (r) => r.method === 'POST' && r.path.startsWith(`/webhooks/${hooks[0]!.id}/`),
    );
    expect(executes.length).toBeGreaterThan(10);
    for (const r of executes) {
      expect(r.query.thread_id).toBe(threadId);
      expect(r.body).toMatchObject({ allowed_mentions: { parse: [] } });
    }
    for (const r of emu.requests.filter((x) => x.method === 'PATCH' && x.path.startsWith('/webhooks/'))) {
      if (r.path.includes('@original')) continue;
      expect(r.query.thread_id).toBe(threadId);
    }
    expect(emu.violations).toEqual([]);
  });

  it('creates one webhook when two debates start at once in one channel', async () => {
    emu = await startEmulator();
    instance = await startInstance({ db: t.db, emu, llm: createFakeLlm(), personas });
    const [a, b] = await Promise.all([
      startDebate(emu.seed.channels.general, 'Solar panels for renters'),
      startDebate(emu.seed.channels.general, 'A library of tools for neighbours'),
    ]);
    expect(a.threadId).not.toBe(b.threadId);
    const [da, db] = await Promise.all([waitDone(a.threadId), waitDone(b.threadId)]);
    const hooks = emu.webhooks(emu.seed.channels.general);
    expect(hooks).toHaveLength(1);
    expect(
      emu.requests.filter((r) => r.method === 'POST' && /^\/channels\/\d+\/webhooks$/.test(r.path)),
    ).toHaveLength(1);
    for (const [threadId, debateId] of [
      [a.threadId, da],
      [b.threadId, db],
    ] as const) {
      const { posts } = await expectThreadMatchesDebate(emu, instance.arena, threadId, debateId, personas);
      for (const p of posts.filter((x) => x.webhookId)) expect(p.webhookId).toBe(hooks[0]!.id);
    }
  });

  it('under tight rate limits loses and reorders nothing', async () => {
    emu = await startEmulator({
      webhook: { limit: 2, windowMs: 500 },
      channel: { limit: 3, windowMs: 1000 },
    });
    instance = await startInstance({ db: t.db, emu, llm: createFakeLlm(), personas });
    const { threadId } = await startDebate(emu.seed.channels.ideas, 'Rate-limited reindeer rentals');
    const debateId = await waitDone(threadId);
    await expectThreadMatchesDebate(emu, instance.arena, threadId, debateId, personas);
    expect(emu.rateLimitHits.length).toBeGreaterThan(0);
    const binding = (await t.db
      .selectFrom('chat_threads')
      .select('id')
      .where('thread_id', '=', threadId)
      .executeTakeFirst())!;
    expect((await listOutbox(t.db, binding.id)).every((r) => r.status === 'sent')).toBe(true);
  }, 120_000);

  it('recreates the webhook once when Discord says it is unknown (10015)', async () => {
    emu = await startEmulator();
    const llm = createFakeLlm();
    instance = await startInstance({ db: t.db, emu, llm, personas });
    const hold = llm.hold();
    const { threadId } = await startDebate(emu.seed.channels.ideas, 'Webhooks that vanish');
    // Let the first turn through, then delete the webhook as an admin would, mid-debate.
    await hold.next();
    hold.release();
    const first = await emu.waitFor(
      () => ownPosts(emu!, threadId).find((m) => m.webhookId),
      20_000,
      'first persona post',
    );
    expect(emu.deleteWebhook(first.webhookId!)).toBe(true);
    const debateId = await waitDone(threadId);
    await expectThreadMatchesDebate(emu, instance.arena, threadId, debateId, personas);
    const hooks = emu.webhooks(emu.seed.channels.ideas);
    expect(hooks).toHaveLength(1);
    expect(hooks[0]!.id).not.toBe(first.webhookId);
    expect((await getWebhook(t.db, 'discord', emu.seed.channels.ideas))!.webhookId).toBe(hooks[0]!.id);
    expect(
      emu.requests.filter((r) => r.method === 'POST' && /^\/channels\/\d+\/webhooks$/.test(r.path)),
    ).toHaveLength(2);
  });

  it('streams a slow message: posted early, edited at most once a second, final text exact', async () => {
    emu = await startEmulator();
    const words = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
    const fake = createFakeLlm({
      respond: (req) =>
        req.metadata?.task === 'turn' && req.metadata.turnIndex === 1 ? `${words}.` : undefined,
    });
    instance = await startInstance({ db: t.db, emu, llm: slowTurn(fake, 1, 100), personas });
    // Nothing is said before the thread exists, so the whole stream is watched.
    const hold = fake.hold();
    const { threadId } = await startDebate(emu.seed.channels.ideas, 'Streaming sandwiches');
    hold.release();
    const debateId = await waitDone(threadId);
    await expectThreadMatchesDebate(emu, instance.arena, threadId, debateId, personas);
    const streamed = ownPosts(emu, threadId).find((m) => m.content === `${words}.`)!;
    // Seen growing: earlier versions are prefixes still marked as being written.
    expect(streamed.history.length).toBeGreaterThanOrEqual(2);
    for (const earlier of streamed.history) {
      expect(earlier.endsWith(' …')).toBe(true);
      expect(words.startsWith(earlier.slice(0, -2))).toBe(true);
    }
    const edits = emu.requests.filter(
      (r) => r.method === 'PATCH' && r.path.endsWith(`/messages/${streamed.id}`),
    );
    expect(edits.length).toBe(streamed.history.length);
    // Streaming edits are coalesced to one a second; only the final, exact edit may follow sooner.
    const times = edits.slice(0, -1).map((r) => r.time);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
  });
});
