import { safeWebhookUsername } from '../../bot/discord/username.ts';
import { startEmulator } from '../../test/discord/arena-world.ts';
import type { DiscordEmulator, StoredMessage } from '../../test/emulators/discord/index.ts';
import type { ThreadPost } from './check.ts';
import type { ChaosPlatform } from './platform.ts';

const embedTitle = (m: StoredMessage) => (m.embeds[0] as { title?: string } | undefined)?.title ?? null;

/** The thread as the checker reads it: the app's posts and people's messages, oldest first. */
export function discordPosts(emu: DiscordEmulator, threadId: string): ThreadPost[] {
  const bot = emu.seed.botUser.id;
  return emu
    .messages(threadId)
    .filter((m) => {
      if (m.webhookId !== null) return m.interactionId === null;
      // The bot's own messages (not the thread's system messages), and people's messages and replies.
      return m.author.id === bot ? m.type === 0 : m.type === 0 || m.type === 19;
    })
    .map((m) => {
      const person = m.webhookId === null && m.author.id !== bot;
      const banner = m.webhookId === null && !person ? embedTitle(m) : null;
      return {
        id: m.id,
        byIdentity: m.webhookId !== null,
        author: m.author.username,
        content: m.content,
        banner,
        notice: m.webhookId === null && !person && banner === null && /^[⏸▶⏳✂]/u.test(m.content),
        person: person ? m.id : null,
      };
    });
}

/** Discord through its emulator, driven by the real discord.js in `arena start`. */
export async function startDiscordPlatform(): Promise<ChaosPlatform> {
  const emu = await startEmulator(
    // Loose enough that three debates are not paced by the minute-long channel limit.
    { webhook: { limit: 50, windowMs: 1000 }, channel: { limit: 500, windowMs: 1000 } },
    // A loaded machine may answer a slash command later than Discord's 3 s: the run is about
    // delivery, not the interaction deadline (tested elsewhere).
    { interactionDeadlineMs: 120_000 },
  );
  return {
    name: 'discord',
    env: {
      DISCORD_TOKEN: emu.token,
      DISCORD_APPLICATION_ID: emu.seed.applicationId,
      DISCORD_API_URL: emu.apiUrl,
    },
    connectedLine: /discord: gateway connected/,
    connected: () => emu.gatewayConnections() > 0,
    async startDebate(idea, timeoutMs) {
      const interaction = emu.invokeCommand({
        user: emu.seed.users.alice,
        channelId: emu.seed.channels.ideas,
        subcommand: 'start',
        options: { idea, rounds: 1 },
      });
      const reply = await emu
        .waitFor(() => emu.interactionReply(interaction.id)?.content.match(/<#(\d+)>/), timeoutMs, idea)
        .catch((error: Error) => {
          const said = emu.interactionReply(interaction.id)?.content ?? 'no reply';
          throw new Error(`${error.message} (the bot answered: ${said.slice(0, 300)})`);
        });
      return reply[1]!;
    },
    async say(threadId, text) {
      return emu.sendUserMessage({ user: emu.seed.users.bob, channelId: threadId, content: text }).id;
    },
    posts: (threadId) => discordPosts(emu, threadId),
    shownText: (text) => text,
    authorName: (name) => safeWebhookUsername(name),
    failPosts(kind) {
      if (kind === 500) {
        // @discordjs/rest retries a 5xx three times: four make the send fail back to the relay.
        emu.failNext({ method: 'POST', pathPattern: '/webhooks/*', status: 500, count: 4 });
        return 4;
      }
      emu.failNext({
        method: 'POST',
        pathPattern: '/webhooks/*',
        status: 429,
        count: 2,
        body: { message: 'You are being rate limited.', retry_after: 0.4, global: false },
        headers: { 'retry-after': '1', 'x-ratelimit-scope': 'user' },
      });
      return 2;
    },
    close: () => emu.close(),
  };
}
