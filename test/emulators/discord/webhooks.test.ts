import { REST } from '@discordjs/rest';
import {
  ChannelType,
  type Client,
  Events,
  type Interaction,
  type Message,
  Routes,
  type TextChannel,
  type ThreadChannel,
  WebhookClient,
} from 'discord.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DiscordEmulator, startDiscordEmulator } from './index.ts';
import { apiErrorOf, expectNoViolations, loginDiscordClient } from './testing.ts';

describe('discord emulator: threads, webhooks, rate limits and human messages', () => {
  let emu: DiscordEmulator;
  let client: Client;
  const seen: Interaction[] = [];
  const created: Message[] = [];

  // A fresh channel per test keeps webhooks, threads and rate limit buckets apart.
  async function freshChannel(name: string): Promise<TextChannel> {
    const { id } = emu.createChannel({ name });
    await emu.waitFor(() => client.channels.cache.get(id), 2000, `#${name} in the client cache`);
    return client.channels.cache.get(id) as TextChannel;
  }

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

  it('creates a public thread (THREAD_CREATE reaches the client)', async () => {
    const channel = await freshChannel('threads');
    const thread = await channel.threads.create({
      name: 'Should cities ban cars?',
      autoArchiveDuration: 1440,
      type: ChannelType.PublicThread,
    });
    expect(emu.threads.find((t) => t.id === thread.id)).toMatchObject({ type: 11, parentId: channel.id });
    await emu.waitFor(() => client.channels.cache.get(thread.id));
    expect((client.channels.cache.get(thread.id) as ThreadChannel).parentId).toBe(channel.id);
    await expect(channel.threads.create({ name: 'x'.repeat(101) })).rejects.toMatchObject({ code: 50035 });

    // The bot's own posts: a phase banner, edited in place, listed by GET messages (newest first).
    const banner = await thread.send({
      embeds: [{ title: 'Phase 1: Opening', description: 'Four voices.' }],
    });
    await banner.edit({ embeds: [{ title: 'Phase 2: Rebuttal', description: 'Four voices.' }] });
    const note = await thread.send('Debate under way.');
    const fetched = await thread.messages.fetch({ limit: 10, cache: false });
    expect([...fetched.keys()]).toEqual([note.id, banner.id]);
    expect(emu.message(banner.id)?.embeds).toEqual([
      { type: 'rich', title: 'Phase 2: Rebuttal', description: 'Four voices.' },
    ]);

    // Archived threads (by the bot or by inactivity) reopen when posted to; locked ones refuse with 50083.
    await thread.setArchived(true);
    expect(emu.threads.find((t) => t.id === thread.id)?.archived).toBe(true);
    await thread.send('Back again.');
    emu.archiveThread(thread.id);
    await thread.send('Still here.');
    expect(emu.threads.find((t) => t.id === thread.id)?.archived).toBe(false);
    emu.archiveThread(thread.id, { locked: true });
    await expect(thread.send('Locked out.')).rejects.toMatchObject({ code: 50083 });
  });

  it('posts through a channel webhook into a thread, with persona name, avatar and no mentions', async () => {
    const channel = await freshChannel('webhooks');
    const thread = await channel.threads.create({ name: 'Debate', type: ChannelType.PublicThread });
    const webhook = await channel.createWebhook({ name: 'Agentic Arena' });
    expect(emu.webhooks(channel.id).map((w) => w.id)).toEqual([webhook.id]);

    const sent = await webhook.send({
      content: 'Know thyself, <@' + emu.seed.users.bob.id + '>.',
      username: 'Socrates',
      avatarURL: 'https://arena.example/avatars/socrates.png',
      threadId: thread.id,
      allowedMentions: { parse: [] },
    });
    const stored = emu.messages(thread.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      id: sent.id,
      webhookId: webhook.id,
      author: { username: 'Socrates', bot: true },
      avatarUrl: 'https://arena.example/avatars/socrates.png',
      allowedMentions: { parse: [] },
      mentionIds: [],
    });
    const echoed = await emu.waitFor(() => created.find((m) => m.id === sent.id));
    expect(echoed.webhookId).toBe(webhook.id);
    expect(echoed.author.bot).toBe(true);

    // The same webhook through discord.js' standalone WebhookClient, and an edit that needs thread_id.
    const standalone = new WebhookClient(
      { id: webhook.id, token: webhook.token ?? '' },
      { rest: { api: emu.apiUrl } },
    );
    const second = await standalone.send({
      content: 'I drink the hemlock.',
      username: 'Socrates',
      threadId: thread.id,
    });
    await standalone.editMessage(second.id, { content: 'I drink the hemlock, calmly.', threadId: thread.id });
    standalone.destroy();
    expect(emu.messages(thread.id).map((m) => m.content)).toEqual([
      `Know thyself, <@${emu.seed.users.bob.id}>.`,
      'I drink the hemlock, calmly.',
    ]);
    expect(emu.message(second.id)?.history).toEqual(['I drink the hemlock.']);
    await expect(webhook.editMessage(second.id, { content: 'no thread id' })).rejects.toMatchObject({
      code: 10008,
    });
  });

  it('rejects webhook usernames containing "discord" and content over 2000 characters with 50035', async () => {
    const channel = await freshChannel('rules');
    const webhook = await channel.createWebhook({ name: 'Agentic Arena' });
    const badName = await apiErrorOf(webhook.send({ content: 'hi', username: 'Discord Oracle' }));
    expect(badName.status).toBe(400);
    expect(badName.code).toBe(50035);
    expect(badName.rawError).toMatchObject({
      errors: { username: { _errors: [{ code: 'USERNAME_INVALID_CONTAINS' }] } },
    });
    expect((await apiErrorOf(webhook.send({ content: 'hi', username: 'p'.repeat(81) }))).code).toBe(50035);
    expect((await apiErrorOf(webhook.send({ content: 'hi', username: 'clydeish' }))).code).toBe(50035);
    const tooLong = await apiErrorOf(webhook.send({ content: 'x'.repeat(2001), username: 'Plato' }));
    expect(tooLong.code).toBe(50035);
    expect(tooLong.rawError).toMatchObject({ message: 'Invalid Form Body', errors: { content: {} } });
    await expect(webhook.send({ content: 'x'.repeat(2000), username: 'Plato' })).resolves.toBeDefined();
    await expect(channel.send('y'.repeat(2001))).rejects.toMatchObject({ code: 50035 });
    expect(emu.messages(channel.id).map((m) => m.content.length)).toEqual([2000]);
    expect(emu.violationsOf('rule', 'request-spec').length).toBeGreaterThanOrEqual(2);
  });

  it('refuses a 16th webhook in a channel with 30007', async () => {
    const channel = await freshChannel('crowded');
    for (let n = 0; n < 15; n++) await channel.createWebhook({ name: `hook ${n}` });
    const err = await apiErrorOf(channel.createWebhook({ name: 'one too many' }));
    expect(err.code).toBe(30007);
    expect(emu.webhooks(channel.id)).toHaveLength(15);
    expect((await channel.fetchWebhooks()).size).toBe(15);
  });

  it('under tight rate limits, 12 webhook sends through @discordjs/rest arrive in order, 429s honoured', async () => {
    const channel = await freshChannel('ratelimited');
    const thread = await channel.threads.create({ name: 'Fast debate', type: ChannelType.PublicThread });
    const webhook = await channel.createWebhook({ name: 'Agentic Arena' });
    emu.setRateLimits({ webhook: { limit: 5, windowMs: 500 }, channel: { limit: 4, windowMs: 500 } });
    const hitsBefore = emu.rateLimitHits.length;
    try {
      const sends = Array.from({ length: 12 }, (_, n) =>
        webhook.send({ content: `post ${n}`, username: `Persona ${n % 3}`, threadId: thread.id }),
      );
      await Promise.all(sends);
    } finally {
      emu.setRateLimits({ webhook: { limit: 5, windowMs: 2000 }, channel: { limit: 30, windowMs: 60_000 } });
    }
    expect(emu.messages(thread.id).map((m) => m.content)).toEqual(
      Array.from({ length: 12 }, (_, n) => `post ${n}`),
    );
    const hits = emu.rateLimitHits.slice(hitsBefore);
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((h) => h.scope === 'shared' && h.retryAfter > 0)).toBe(true);
    // Honoured: after each 429 the client waited at least retry_after before trying that webhook again.
    const posts = emu.requests.filter(
      (r) => r.method === 'POST' && r.path.startsWith(`/webhooks/${webhook.id}/`),
    );
    posts.forEach((r, n) => {
      const next = posts[n + 1];
      if (r.status !== 429 || !next) return;
      const hit = hits.find((h) => h.time === r.time);
      expect(next.time - r.time).toBeGreaterThanOrEqual((hit?.retryAfter ?? 0) * 1000 - 5);
    });
  });

  it('answers 10015 for a deleted webhook, whether deleted by the bot or by an admin', async () => {
    const channel = await freshChannel('deleted');
    const first = await channel.createWebhook({ name: 'Agentic Arena' });
    await first.delete();
    expect((await apiErrorOf(first.send({ content: 'anyone?' }))).code).toBe(10015);
    const second = await channel.createWebhook({ name: 'Agentic Arena' });
    expect(emu.deleteWebhook(second.id)).toBe(true);
    const err = await apiErrorOf(second.send({ content: 'anyone?' }));
    expect([err.status, err.code]).toEqual([404, 10015]);
    const rest = new REST({ api: emu.apiUrl });
    const wrongToken = await apiErrorOf(
      rest.post(Routes.webhook(first.id, 'x'.repeat(68)), { body: { content: 'hi' }, auth: false }),
    );
    expect(wrongToken.code).toBe(10015);
  });

  it('injects faults with failNext: a 10015, and 500s that @discordjs/rest retries', async () => {
    const channel = await freshChannel('faults');
    const webhook = await channel.createWebhook({ name: 'Agentic Arena' });
    emu.failNext({
      method: 'POST',
      pathPattern: `/webhooks/${webhook.id}/*`,
      status: 404,
      body: { code: 10015, message: 'Unknown Webhook' },
    });
    expect((await apiErrorOf(webhook.send({ content: 'lost' }))).code).toBe(10015);
    await expect(webhook.send({ content: 'fine now' })).resolves.toBeDefined();

    // @discordjs/rest retries 5xx three times: two injected 500s stay invisible, four surface.
    const path = `/webhooks/${webhook.id}/*`;
    emu.failNext({ method: 'POST', pathPattern: path, status: 500, count: 2 });
    await expect(webhook.send({ content: 'after two 500s' })).resolves.toBeDefined();
    emu.failNext({ method: 'POST', pathPattern: path, status: 500, count: 4 });
    await expect(webhook.send({ content: 'never' })).rejects.toMatchObject({ status: 500 });
    expect(emu.messages(channel.id).map((m) => m.content)).toEqual(['fine now', 'after two 500s']);
    expect(emu.requests.filter((r) => r.status === 500)).toHaveLength(6);
  });

  it('delivers a human message as messageCreate with content, member and reply reference', async () => {
    const channel = await freshChannel('humans');
    const thread = await channel.threads.create({ name: 'People', type: ChannelType.PublicThread });
    const persona = await (await channel.createWebhook({ name: 'Agentic Arena' })).send({
      content: 'Cars are freedom.',
      username: 'Ayn',
      threadId: thread.id,
    });
    const human = emu.sendUserMessage({
      user: emu.seed.users.carol,
      channelId: thread.id,
      content: 'Freedom for whom?',
      replyTo: persona.id,
    });
    const got = await emu.waitFor(() => created.find((m) => m.id === human.id));
    expect(got.content).toBe('Freedom for whom?');
    expect(got.author.username).toBe('carol');
    expect(got.member?.displayName).toBe('Carol');
    expect(got.webhookId).toBeNull();
    expect(got.reference?.messageId).toBe(persona.id);
    expect(emu.messages(thread.id).map((m) => m.author.username)).toEqual(['Ayn', 'carol']);

    const dave = emu.createUser({ username: 'dave', globalName: 'Dave', roles: [emu.seed.roles.moderator] });
    const mention = emu.sendUserMessage({
      user: dave,
      channelId: thread.id,
      content: `<@${client.user?.id}> let Socrates answer`,
    });
    const withMention = await emu.waitFor(() => created.find((m) => m.id === mention.id));
    expect(withMention.mentions.users.has(client.user?.id ?? '')).toBe(true);
    expect(withMention.member?.permissions.has('ManageThreads')).toBe(true);
  });
});
