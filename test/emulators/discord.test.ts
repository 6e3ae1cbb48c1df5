import { REST } from '@discordjs/rest';
import {
  AttachmentBuilder,
  Client,
  Events,
  GatewayIntentBits,
  type Interaction,
  type Message,
  MessageFlags,
  PermissionFlagsBits,
  Routes,
  SlashCommandBuilder,
} from 'discord.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DiscordEmulator, startDiscordEmulator } from './discord/index.ts';
import { createAsyncSpecValidator } from './discord/spec-client.ts';
import { ARENA_INTENTS, apiErrorOf, expectNoViolations, loginDiscordClient } from './discord/testing.ts';

// Threads, webhooks, rate limits and human messages are covered in ./discord/webhooks.test.ts.
describe('discord emulator: gateway and interactions with the real discord.js client', () => {
  let emu: DiscordEmulator;
  let client: Client;
  const seen: Interaction[] = [];
  const created: Message[] = [];

  beforeAll(async () => {
    emu = await startDiscordEmulator();
    client = await loginDiscordClient(emu);
    client.on(Events.InteractionCreate, (i) => void seen.push(i));
    client.on(Events.MessageCreate, (m) => void created.push(m));
  });

  afterAll(async () => {
    await client?.destroy();
    await emu?.close();
  });

  let violationsBefore = 0;
  beforeEach(() => {
    violationsBefore = emu.violations.length;
  });
  // Breaches a test did not provoke on purpose are emulator or test bugs.
  afterEach(() => expectNoViolations(emu, violationsBefore));

  it('logs in through GET /gateway/bot and the gateway handshake, with the seeded guild cached', () => {
    expect(client.user?.id).toBe(emu.seed.botUser.id);
    expect(client.application?.id).toBe(emu.seed.applicationId);
    const guild = client.guilds.cache.get(emu.seed.guildId);
    expect(guild?.channels.cache.get(emu.seed.channels.ideas)?.name).toBe('ideas');
    expect(guild?.members.me?.permissions.has('ManageWebhooks')).toBe(true);
    expect(guild?.roles.cache.size).toBe(4);
    expect(emu.seed.botUser.id).toMatch(/^\d{17,19}$/);
    const gatewayCall = emu.requests.find((r) => r.path === '/gateway/bot');
    expect(gatewayCall?.status).toBe(200);
    expect(gatewayCall?.headers.authorization).toBeUndefined();
    expect(emu.gatewayConnections()).toBe(1);
  });

  it('delivers a slash command as interactionCreate and records deferReply + editReply', async () => {
    const handled = new Promise<void>((resolve) => {
      client.once(Events.InteractionCreate, async (i) => {
        if (!i.isChatInputCommand()) return;
        await i.deferReply();
        await i.editReply(
          `Starting: ${i.options.getString('idea')} (${i.options.getInteger('rounds')} rounds)`,
        );
        resolve();
      });
    });
    const rec = emu.invokeCommand({
      user: emu.seed.users.alice,
      channelId: emu.seed.channels.ideas,
      subcommand: 'start',
      options: { idea: 'Tax robots', rounds: 3 },
    });
    await handled;
    const i = seen.find((x) => x.id === rec.id);
    expect(i?.isChatInputCommand() && i.options.getSubcommand()).toBe('start');
    expect(i?.memberPermissions?.has('ManageThreads')).toBe(true);
    expect(emu.interactionResponses(rec.id).map((r) => [r.kind, r.callbackType, r.status])).toEqual([
      ['callback', 5, 204],
      ['edit-original', null, 200],
    ]);
    expect(emu.interactionReply(rec.id)?.content).toBe('Starting: Tax robots (3 rounds)');
    expect(emu.interaction(rec.id)?.deadlineMissed).toBe(false);
  });

  it('computes member permissions from roles: bob has no Manage Threads', async () => {
    const rec = emu.invokeCommand({
      user: emu.seed.users.bob,
      channelId: emu.seed.channels.ideas,
      subcommand: 'stop',
    });
    const i = await emu.waitFor(() => seen.find((x) => x.id === rec.id));
    expect(i.memberPermissions?.has('ManageThreads')).toBe(false);
    expect(i.memberPermissions?.has('SendMessages')).toBe(true);
    const guild = client.guilds.cache.get(emu.seed.guildId);
    const fetched = await guild?.members.fetch({ user: emu.seed.users.bob.id, force: true });
    expect(fetched?.roles.cache.has(emu.seed.roles.member)).toBe(true);
    if (!i.isRepliable()) throw new Error('expected a repliable interaction');
    await i.reply({ content: 'Only moderators can stop a debate.', flags: MessageFlags.Ephemeral });
    await i.followUp({ content: 'Ask someone with Manage Threads.', flags: MessageFlags.Ephemeral });
    expect(emu.interaction(rec.id)?.ephemeral).toBe(true);
    expect(emu.interactionResponses(rec.id).map((r) => [r.kind, r.status])).toEqual([
      ['callback', 204],
      ['followup', 200],
    ]);
    // Ephemeral replies are not channel messages.
    expect(emu.messages(emu.seed.channels.ideas).some((m) => m.content.startsWith('Only moderators'))).toBe(
      false,
    );
  });

  it('answers autocomplete with type 8 choices', async () => {
    const rec = emu.autocomplete({
      user: emu.seed.users.carol,
      channelId: emu.seed.channels.ideas,
      subcommand: 'summon',
      options: { persona: 'soc' },
      focused: 'persona',
    });
    const i = await emu.waitFor(() => seen.find((x) => x.id === rec.id));
    if (!i.isAutocomplete()) throw new Error('expected autocomplete');
    expect(i.options.getFocused()).toBe('soc');
    await i.respond([{ name: 'Socrates', value: 'socrates' }]);
    expect(emu.interactionResponses(rec.id)[0]).toMatchObject({
      callbackType: 8,
      body: { type: 8, data: { choices: [{ name: 'Socrates', value: 'socrates' }] } },
    });
  });

  it('refuses a late initial response with 10062 and records the deadline violation', async () => {
    const late = await startDiscordEmulator({ interactionDeadlineMs: 100 });
    const lateClient = await loginDiscordClient(late);
    try {
      const failed = new Promise<{ code: number | string }>((resolve) => {
        lateClient.once(Events.InteractionCreate, async (i) => {
          await new Promise((r) => setTimeout(r, 250));
          if (i.isRepliable()) resolve(await apiErrorOf(i.deferReply()));
        });
      });
      const rec = late.invokeCommand({
        user: late.seed.users.alice,
        channelId: late.seed.channels.ideas,
        subcommand: 'status',
      });
      expect((await failed).code).toBe(10062);
      expect(late.interaction(rec.id)?.deadlineMissed).toBe(true);
      expect(late.violationsOf('deadline')).toHaveLength(1);
    } finally {
      await lateClient.destroy();
      await late.close();
    }
  });

  it('keeps file attachments sent with editReply (the export case)', async () => {
    const markdown = '# Transcript\n\n**Socrates:** Know thyself.\n';
    client.once(Events.InteractionCreate, async (i) => {
      if (!i.isChatInputCommand()) return;
      await i.deferReply();
      await i.editReply({
        content: 'Transcript attached.',
        files: [new AttachmentBuilder(Buffer.from(markdown), { name: 'debate.md' })],
      });
    });
    const rec = emu.invokeCommand({
      user: emu.seed.users.bob,
      channelId: emu.seed.channels.ideas,
      subcommand: 'export',
    });
    const reply = await emu.waitFor(() => {
      const m = emu.interactionReply(rec.id);
      return m && m.attachments.length > 0 ? m : undefined;
    });
    expect(reply.attachments[0]?.filename).toBe('debate.md');
    expect(reply.attachments[0]?.data.toString()).toBe(markdown);
    const download = await fetch(reply.attachments[0]?.url ?? '');
    expect(await download.text()).toBe(markdown);
  });

  it('validates command registration against the spec and Discord rules, and types options from it', async () => {
    const commands = [
      {
        name: 'arena',
        description: 'Debate arena',
        default_member_permissions: null,
        options: [
          {
            type: 1,
            name: 'start',
            description: 'Start a debate',
            options: [
              { type: 3, name: 'idea', description: 'The idea', required: true, max_length: 1000 },
              { type: 4, name: 'rounds', description: 'Rounds', min_value: 1, max_value: 10 },
            ],
          },
        ],
      },
    ];
    await client.application?.commands.set(commands as never, emu.seed.guildId);
    expect(emu.commands(emu.seed.guildId).map((c) => c.name)).toEqual(['arena']);
    // discord.js sends default_member_permissions as a decimal string; the emulator accepts that.
    const built = new SlashCommandBuilder()
      .setName('arena')
      .setDescription('Debate arena')
      .setDefaultMemberPermissions(PermissionFlagsBits.SendMessages)
      .addSubcommand((s) =>
        s
          .setName('start')
          .setDescription('Start a debate')
          .addStringOption((o) =>
            o.setName('idea').setDescription('The idea').setRequired(true).setMaxLength(1000),
          )
          .addIntegerOption((o) =>
            o.setName('rounds').setDescription('Rounds').setMinValue(1).setMaxValue(10),
          ),
      )
      .addSubcommand((s) =>
        s
          .setName('summon')
          .setDescription('Summon a persona')
          .addStringOption((o) =>
            o.setName('persona').setDescription('Handle').setRequired(true).setAutocomplete(true),
          ),
      );
    await client.application?.commands.set([built.toJSON()], emu.seed.guildId);
    expect(emu.commands(emu.seed.guildId)[0]).toMatchObject({
      name: 'arena',
      default_member_permissions: String(PermissionFlagsBits.SendMessages),
    });
    expect((await client.application?.fetch())?.id).toBe(emu.seed.applicationId);
    const rest = new REST({ api: emu.apiUrl }).setToken(emu.token);
    const bad = await apiErrorOf(
      rest.put(Routes.applicationGuildCommands(emu.seed.applicationId, emu.seed.guildId), {
        body: [{ name: 'Arena', description: 'x'.repeat(101) }],
      }),
    );
    expect(bad.code).toBe(50035);
    expect(emu.commands(emu.seed.guildId)).toHaveLength(1);

    const rec = emu.invokeCommand({
      user: emu.seed.users.alice,
      channelId: emu.seed.channels.ideas,
      subcommand: 'start',
      options: { idea: '42', rounds: '3' as never },
    });
    const i = await emu.waitFor(() => seen.find((x) => x.id === rec.id));
    if (!i.isChatInputCommand()) throw new Error('expected a command');
    expect(i.commandId).toBe(emu.commands(emu.seed.guildId)[0]?.id);
    expect(i.options.getString('idea')).toBe('42');
    expect(i.options.getInteger('rounds')).toBe(3);
    await i.reply('ok');
  });

  it('resumes after a gateway disconnect and replays what was missed', async () => {
    const reconnecting = new Promise<void>((resolve) => client.once(Events.ShardResume, () => resolve()));
    emu.disconnectGateway({ code: 4000 });
    const missed = emu.sendUserMessage({
      user: emu.seed.users.bob,
      channelId: emu.seed.channels.general,
      content: 'while you were away',
    });
    await reconnecting;
    const got = await emu.waitFor(() => created.find((m) => m.id === missed.id));
    expect(got.content).toBe('while you were away');
    expect(emu.gatewayConnections()).toBe(1);
  });
});

describe('discord emulator lifecycle', () => {
  it('leaves no open sockets or servers after client.destroy() and emu.close()', async () => {
    const count = () => {
      const kinds = process.getActiveResourcesInfo();
      return {
        sockets: kinds.filter((k) => k === 'TCPSocketWrap').length,
        servers: kinds.filter((k) => k === 'TCPServerWrap').length,
      };
    };
    // Handles are released a moment after they close, later on a busy machine. Before: until earlier
    // tests' teardown is over (the same counts for 8 reads in a row), else a handle of theirs that
    // closes during this test looks like one this test freed. After: until back to `before`.
    const settled = async (target?: ReturnType<typeof count>) => {
      let last = count();
      let steady = 0;
      for (let n = 0; n < 160; n++) {
        await new Promise((r) => setTimeout(r, 25));
        const now = count();
        if (target && now.sockets <= target.sockets && now.servers <= target.servers) return now;
        steady = now.sockets === last.sockets && now.servers === last.servers ? steady + 1 : 0;
        last = now;
        if (!target && steady >= 8) return now;
      }
      return count();
    };
    const before = await settled();
    const emu = await startDiscordEmulator({ heartbeatIntervalMs: 60 });
    const client = await loginDiscordClient(emu);
    await client.channels.fetch(emu.seed.channels.ideas);
    // Heartbeats (op 1) are acknowledged (op 11): discord.js then knows its ping.
    await emu.waitFor(() => client.ws.ping >= 0, 2000, 'a heartbeat ack');
    const during = count();
    expect(during.servers).toBeGreaterThan(before.servers);
    expect(during.sockets).toBeGreaterThan(before.sockets);
    expect(emu.gatewayConnections()).toBe(1);
    await client.destroy();
    await emu.waitFor(() => emu.gatewayConnections() === 0, 2000, 'the gateway socket to close');
    await emu.close();
    expect(await settled(before)).toEqual(before);
  });

  it('refuses IDENTIFY with a wrong token and REST calls without the bot token', async () => {
    const emu = await startDiscordEmulator();
    try {
      const rest = new REST({ api: emu.apiUrl }).setToken('not-the-token');
      expect((await apiErrorOf(rest.get(Routes.gatewayBot()))).status).toBe(401);
      const client = new Client({ intents: ARENA_INTENTS, rest: { api: emu.apiUrl } });
      await expect(client.login('not-the-token')).rejects.toThrow();
      await client.destroy();
      expect(emu.violationsOf('auth').length).toBeGreaterThan(0);
    } finally {
      await emu.close();
    }
  });

  it('blanks message content for clients without the MessageContent intent', async () => {
    const emu = await startDiscordEmulator();
    const client = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages],
      rest: { api: emu.apiUrl },
    });
    try {
      const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
      await client.login(emu.token);
      await ready;
      const got = new Promise<Message>((resolve) => client.once(Events.MessageCreate, resolve));
      emu.sendUserMessage({
        user: emu.seed.users.bob,
        channelId: emu.seed.channels.ideas,
        content: 'secret',
      });
      expect((await got).content).toBe('');
    } finally {
      await client.destroy();
      await emu.close();
    }
  });

  it('flags bodies that break the spec (the check behind response validation)', async () => {
    const spec = createAsyncSpecValidator();
    const offSpec = await spec.response('/channels/{channel_id}/messages', 'post', 200, {
      id: 'not-a-snowflake',
    });
    expect(offSpec.length).toBeGreaterThan(0);
    expect(await spec.request('/channels/{channel_id}/threads', 'post', { name: '' })).toEqual([
      expect.objectContaining({ path: ['name'], code: 'BASE_TYPE_MIN_LENGTH' }),
    ]);
  });
});
