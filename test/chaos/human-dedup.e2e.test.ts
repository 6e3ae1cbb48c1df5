import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../personas/index.ts';
import type { Persona } from '../../personas/types.ts';
import { type ArenaInstance, smallCast, startEmulator, startInstance } from '../discord/arena-world.ts';
import { startDebateInChannel, until } from '../discord/thread-check.ts';
import type { DiscordEmulator } from '../emulators/discord/index.ts';
import { type SlackEmulator, startSlackEmulator } from '../emulators/slack/index.ts';
import { createHarness } from '../engine/harness.ts';
import { createFakeLlm } from '../fakes/fake-llm.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';
import { type SlackInstance, startSlackInstance } from '../slack/slack-world.ts';

// A person's chat message is stored once however often it arrives: the platform's message id is a
// unique key per debate (migration 20261202_180000), checked under the debate's row lock.

describe.each(testDialects())('a person’s message delivered twice, on %s', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(() => t.dispose());

  it('concurrent deliveries of one message id store it once, with no turn index skipped', async () => {
    const h = await createHarness(t.db, { llm: createFakeLlm() });
    const { debateId } = await h.arena.startDebate({
      idea: 'Shared ladders for a street',
      origin: 'discord',
    });
    const input = {
      author: 'Bob',
      authorId: 'discord:42',
      text: 'What about insurance?',
      sourceId: 'discord:g:1001',
    };
    const results = await Promise.all(Array.from({ length: 6 }, () => h.arena.injectHuman(debateId, input)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.reason === 'duplicate')).toHaveLength(5);
    // Another message, and messages without a platform id (the dashboard), are each stored.
    expect((await h.arena.injectHuman(debateId, { ...input, sourceId: 'discord:g:1002' })).ok).toBe(true);
    const { sourceId: _none, ...dashboard } = input;
    expect((await h.arena.injectHuman(debateId, dashboard)).ok).toBe(true);
    expect((await h.arena.injectHuman(debateId, dashboard)).ok).toBe(true);
    const rows = await t.db
      .selectFrom('debate_messages')
      .select(['turn_index', 'source_id'])
      .where('session_id', '=', debateId)
      .where('author_kind', '=', 'human')
      .orderBy('turn_index')
      .execute();
    expect(rows.map((r) => r.source_id)).toEqual(['discord:g:1001', 'discord:g:1002', null, null]);
    const turns = rows.map((r) => r.turn_index);
    expect(turns).toEqual(turns.map((_, i) => turns[0]! + i));
    // The database refuses a second row with the same id even if a caller skipped the check.
    await expect(
      t.db
        .insertInto('debate_messages')
        .values({
          session_id: debateId,
          turn_index: 900,
          commit_seq: 900,
          phase: 'divergence',
          agent_id: 'discord:42',
          agent_name: 'Bob',
          author_kind: 'human',
          message_type: 'human',
          content: 'again',
          source_id: 'discord:g:1001',
        })
        .execute(),
    ).rejects.toThrow(/uq_debate_messages_source|unique/i);
  });
});

const dialect = testDialects()[0]!;

describe(`a redelivered chat message through the emulators on ${dialect}`, () => {
  let t: TestDatabase;
  let personas: Persona[];
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    personas = smallCast(await builtinCatalog());
  });
  afterAll(() => t.dispose());

  const humansOf = async (debateId: string) =>
    t.db
      .selectFrom('debate_messages')
      .select(['content', 'source_id'])
      .where('session_id', '=', debateId)
      .where('author_kind', '=', 'human')
      .orderBy('turn_index')
      .execute();

  it('Discord: a MESSAGE_CREATE replayed twice injects the message once', async () => {
    let emu: DiscordEmulator | undefined;
    let instance: ArenaInstance | undefined;
    try {
      emu = await startEmulator();
      const fake = createFakeLlm();
      const hold = fake.hold();
      instance = await startInstance({ db: t.db, emu, llm: fake, personas, instanceId: 'dedup-discord' });
      const { threadId, debateId } = await startDebateInChannel(emu, t.db, 'Tool library for a block');
      await hold.next();
      const sent = emu.sendUserMessage({
        user: emu.seed.users.bob,
        channelId: threadId,
        content: 'Who insures the drills?',
      });
      await until(async () => (await humansOf(debateId)).length === 1, 'the first delivery', 60_000);
      emu.redeliverMessage(sent.id);
      emu.redeliverMessage(sent.id);
      // Messages of a thread are handled one at a time: once a later one is stored, the replays were handled.
      emu.sendUserMessage({
        user: emu.seed.users.bob,
        channelId: threadId,
        content: 'And who repairs them?',
      });
      await until(async () => (await humansOf(debateId)).length >= 2, 'the later message', 60_000);
      hold.release();
      const humans = await humansOf(debateId);
      expect(humans.map((m) => m.content)).toEqual(['Who insures the drills?', 'And who repairs them?']);
      expect(humans[0]!.source_id).toContain(sent.id);
    } finally {
      await instance?.kill();
      await emu?.close();
    }
  }, 180_000);

  it('Slack: a message event sent again (a retry) injects the message once', async () => {
    let emu: SlackEmulator | undefined;
    let instance: SlackInstance | undefined;
    try {
      emu = await startSlackEmulator();
      const fake = createFakeLlm();
      const hold = fake.hold();
      instance = await startSlackInstance({
        db: t.db,
        emu,
        llm: fake,
        personas,
        mode: 'http',
        instanceId: 'dedup-slack',
      });
      await emu.slashCommand({
        user: emu.seed.alice,
        channel: emu.seed.ideas,
        text: 'start Seed swap shelf rounds:1',
      });
      const root = await emu.waitFor(() => emu!.roots(emu!.seed.ideas)[0], 60_000, 'root');
      const { debate_id: debateId } = await until(
        () =>
          t.db
            .selectFrom('chat_threads')
            .select('debate_id')
            .where('thread_id', '=', root.ts)
            .executeTakeFirst(),
        'binding',
        60_000,
      );
      await hold.next();
      const text = 'Who waters the seedlings?';
      const { ts } = await emu.postAsUser({
        user: emu.seed.bob,
        channel: emu.seed.ideas,
        text,
        threadTs: root.ts,
      });
      await until(async () => (await humansOf(debateId)).length === 1, 'the first delivery', 60_000);
      const again = {
        type: 'message',
        channel_type: 'channel',
        channel: emu.seed.ideas,
        user: emu.seed.bob,
        text,
        ts,
        thread_ts: root.ts,
      };
      await emu.sendEvent(again);
      await emu.sendEvent(again);
      await emu.postAsUser({
        user: emu.seed.bob,
        channel: emu.seed.ideas,
        text: 'And in August?',
        threadTs: root.ts,
      });
      await until(async () => (await humansOf(debateId)).length >= 2, 'the later message', 60_000);
      hold.release();
      const humans = await humansOf(debateId);
      expect(humans.map((m) => m.content)).toEqual([text, 'And in August?']);
      expect(humans[0]!.source_id).toContain(ts);
    } finally {
      await instance?.kill();
      await emu?.close();
    }
  }, 180_000);
});
