import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../personas/index.ts';
import type { Persona } from '../../personas/types.ts';
import type { DiscordEmulator, InteractionRecord, OptionValue } from '../emulators/discord/index.ts';
import { Perm } from '../emulators/discord/permissions.ts';
import { createFakeLlm } from '../fakes/fake-llm.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';
import { type ArenaInstance, smallCast, startEmulator, startInstance } from './arena-world.ts';
import { until } from './thread-check.ts';

const EPHEMERAL = 64;
const BOT_PERMS =
  Perm.ViewChannel |
  Perm.SendMessages |
  Perm.SendMessagesInThreads |
  Perm.ReadMessageHistory |
  Perm.UseApplicationCommands |
  Perm.CreatePublicThreads |
  Perm.EmbedLinks |
  Perm.AttachFiles |
  Perm.ManageWebhooks |
  Perm.ManageThreads |
  Perm.ManageMessages;
const BOT_WITHOUT_WEBHOOKS = BOT_PERMS & ~Perm.ManageWebhooks;

describe.each(testDialects())('/arena commands through discord.js on %s', (dialect) => {
  let t: TestDatabase;
  let personas: Persona[];
  let emu: DiscordEmulator;
  let instance: ArenaInstance;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    personas = smallCast(await builtinCatalog());
    emu = await startEmulator();
    // Members with the "Member" role may manage debates too.
    instance = await startInstance({ db: t.db, emu, llm: createFakeLlm(), personas, managerRole: 'Member' });
  });
  afterAll(async () => {
    await instance?.kill();
    await emu?.close();
    await t.dispose();
  });

  /** Runs a command and returns its final visible answer (reply, edited reply or ephemeral follow-up). */
  async function run(
    user: keyof DiscordEmulator['seed']['users'],
    subcommand: string,
    options: Record<string, OptionValue> = {},
    channelId = emu.seed.channels.ideas,
  ) {
    const i = emu.invokeCommand({ user: emu.seed.users[user], channelId, subcommand, options });
    const answer = await emu.waitFor(() => final(i), 20_000, `answer to /arena ${subcommand}`);
    expect(emu.interaction(i.id)!.deadlineMissed).toBe(false);
    return answer;
  }

  function final(i: InteractionRecord) {
    const rec = emu.interaction(i.id)!;
    const reply = emu.interactionReply(i.id);
    const followup = rec.followupIds.length > 0 ? emu.message(rec.followupIds.at(-1)!) : undefined;
    const msg =
      followup ??
      (reply &&
      !reply.deleted &&
      (reply.content !== '' || reply.embeds.length > 0 || reply.attachments.length > 0)
        ? reply
        : undefined);
    if (!msg) return undefined;
    return {
      text: msg.content,
      ephemeral: (msg.flags & EPHEMERAL) !== 0,
      embeds: msg.embeds as Array<Record<string, unknown>>,
      files: msg.attachments,
      deferred: rec.responses[0]?.callbackType === 5,
    };
  }

  it('refuses clearly and privately: permissions, unknown subcommand, empty and oversized ideas', async () => {
    const noRole = await run('carol', 'start', { idea: 'A fridge that orders milk' });
    expect(noRole).toMatchObject({ ephemeral: true, deferred: false });
    expect(noRole.text).toMatch(/Only members with Manage Threads or the Member role can start debates/);

    const unknown = await run('alice', 'dance');
    expect(unknown).toMatchObject({ ephemeral: true });
    expect(unknown.text).toMatch(
      /Unknown subcommand “dance”. Try one of: start, stop, pause, resume, status/,
    );

    const empty = await run('alice', 'start', { idea: '   ' });
    expect(empty).toMatchObject({ ephemeral: true });
    expect(empty.text).toMatch(/The idea is empty. Try `\/arena start idea: /);

    const huge = await run('alice', 'start', { idea: 'x'.repeat(5000) });
    expect(huge).toMatchObject({ ephemeral: true });
    expect(huge.text).toMatch(/That idea is 5000 characters; the limit is 1000/);

    const outside = await run('alice', 'pause');
    expect(outside).toMatchObject({ ephemeral: true });
    expect(outside.text).toMatch(/inside a debate thread/);

    expect(emu.threads).toHaveLength(0);
    expect(await instance.arena.listDebates()).toHaveLength(0);
    expect(emu.violations).toEqual([]);
  });

  it('controls the debate of the thread it is typed in; anyone may read status', async () => {
    const started = await run('bob', 'start', { idea: 'Community compost exchange', rounds: 1 });
    expect(started).toMatchObject({ ephemeral: false, deferred: true });
    const threadId = /<#(\d+)>/.exec(started.text)![1]!;

    const denied = await run('carol', 'pause', {}, threadId);
    expect(denied).toMatchObject({ ephemeral: true });
    const status = await run('carol', 'status', {}, threadId);
    expect(status.embeds[0]).toMatchObject({ title: 'Community compost exchange' });

    const budget = await run('carol', 'budget');
    expect(budget.embeds[0]).toMatchObject({ title: 'Budget' });
    const list = await run('carol', 'personas', { phase: 'convergence' });
    expect(list.embeds[0]!.description).toContain('@');

    const { debate_id: debateId } = (await t.db
      .selectFrom('chat_threads')
      .select('debate_id')
      .where('thread_id', '=', threadId)
      .executeTakeFirstOrThrow())!;
    await until(async () => (await instance.arena.getDebate(debateId))?.status === 'completed', 'debate end');
    const stopped = await run('alice', 'stop', {}, threadId);
    expect(stopped).toMatchObject({ ephemeral: true });
    expect(stopped.text).toMatch(/already finished/);

    const exported = await run('carol', 'export', {}, threadId);
    expect(exported.files).toHaveLength(1);
    expect(exported.files[0]!.filename).toMatch(/^community-compost-exchange-[0-9a-f]{8}\.md$/);
    const markdown = exported.files[0]!.data.toString('utf8');
    expect(markdown).toMatch(/^# Community compost exchange/);
    expect(markdown.length).toBeGreaterThan(500);

    const ideas = await run('carol', 'ideas');
    expect(ideas.embeds[0]!.description).toContain('Community compost exchange');
  });

  it('answers persona autocomplete with at most 25 matching handles', async () => {
    const i = emu.autocomplete({
      user: emu.seed.users.carol,
      channelId: emu.seed.channels.ideas,
      subcommand: 'summon',
      options: { persona: 'sec' },
      focused: 'persona',
    });
    const res = await emu.waitFor(
      () => emu.interactionResponses(i.id).find((r) => r.callbackType === 8),
      10_000,
      'autocomplete',
    );
    const choices = (res.body as { data: { choices: Array<{ name: string; value: string }> } }).data.choices;
    expect(choices.length).toBeGreaterThan(0);
    expect(choices.length).toBeLessThanOrEqual(25);
    expect(choices[0]!.value).toBe('SecurityParanoid');

    const all = emu.autocomplete({
      user: emu.seed.users.carol,
      channelId: emu.seed.channels.ideas,
      subcommand: 'summon',
      options: { persona: '' },
      focused: 'persona',
    });
    const every = await emu.waitFor(
      () => emu.interactionResponses(all.id).find((r) => r.callbackType === 8),
      10_000,
      'autocomplete',
    );
    expect((every.body as { data: { choices: unknown[] } }).data.choices).toHaveLength(
      Math.min(25, personas.length),
    );
  });

  it('refuses to start where it may not manage webhooks, and leaves nothing behind', async () => {
    const channel = emu.createChannel({ name: 'locked' }).id;
    const botRole = emu.seed.roles.bot;
    const before = await instance.arena.listDebates();
    emu.setRolePermissions(botRole, BOT_WITHOUT_WEBHOOKS);
    try {
      const answer = await run('alice', 'start', { idea: 'Ideas in a locked room' }, channel);
      expect(answer).toMatchObject({ ephemeral: true });
      expect(answer.text).toMatch(/manage webhooks/);
    } finally {
      emu.setRolePermissions(botRole, BOT_PERMS);
    }
    expect(emu.threads.filter((c) => c.parentId === channel)).toHaveLength(0);
    // No debate was started for it.
    expect(await instance.arena.listDebates()).toEqual(before);
  });
});
