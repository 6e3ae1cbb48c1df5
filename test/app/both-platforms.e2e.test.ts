import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../personas/index.ts';
import { startEmulator } from '../discord/arena-world.ts';
import { expectThreadMatchesDebate, until } from '../discord/thread-check.ts';
import type { DiscordEmulator } from '../emulators/discord/index.ts';
import { type SlackEmulator, startSlackEmulator } from '../emulators/slack/index.ts';
import { discordEnv, slackEnv, startTestApp, type TestApp } from '../helpers/arena-app.ts';

const DISCORD_IDEA = 'A marketplace for idle GPUs';
const SLACK_IDEA = 'A loyalty card for corner bakeries';

// `arena start` as main.ts wires it with both platforms configured (app/platforms.ts): the real
// discord.js client and the real Bolt app in one process, each against its emulator. Slack in Socket
// Mode, and in HTTP mode with its requests at /slack/events on the dashboard's own port.
describe.each(['socket', 'http'] as const)(
  'Discord and Slack (%s) in one process',
  { timeout: 300_000 },
  (mode) => {
    let discordEmu: DiscordEmulator;
    let slackEmu: SlackEmulator;
    let app: TestApp | undefined;

    beforeAll(async () => {
      discordEmu = await startEmulator();
      slackEmu = await startSlackEmulator();
      app = await startTestApp({ ...discordEnv(discordEmu), ...slackEnv(slackEmu, mode) });
      if (mode === 'http') slackEmu.useHttp(`${app.running.dashboardUrl}/slack/events`);
    });
    afterAll(async () => {
      await app?.close();
      await discordEmu?.close();
      await slackEmu?.close();
    });

    it('runs /arena start on each platform; each debate posts only into its own thread and both complete', async () => {
      const db = app!.running.context.database.db;
      const engine = app!.running.context.arena;
      await discordEmu.waitFor(() => discordEmu.gatewayConnections() > 0, 60_000, 'discord gateway');
      if (mode === 'socket') await slackEmu.waitFor(() => slackEmu.socketConnected(), 60_000, 'slack socket');
      // HTTP mode opens no connection to Slack: the commands arrive as signed requests.
      else expect(slackEmu.socketConnected()).toBe(false);

      // Both commands at once: the two debates run side by side.
      const interaction = discordEmu.invokeCommand({
        user: discordEmu.seed.users.alice,
        channelId: discordEmu.seed.channels.ideas,
        subcommand: 'start',
        options: { idea: DISCORD_IDEA, rounds: 1 },
      });
      const started = await slackEmu.slashCommand({
        user: slackEmu.seed.alice,
        channel: slackEmu.seed.ideas,
        text: `start ${SLACK_IDEA} rounds:1`,
      });
      expect(started.status).toBe(200);

      const reply = await discordEmu.waitFor(
        () =>
          discordEmu.interactionReply(interaction.id)?.content.includes('Debate started') &&
          discordEmu.interactionReply(interaction.id),
        60_000,
        'discord start reply',
      );
      const discordThread = /<#(\d+)>/.exec(reply.content)![1]!;
      const slackRoot = await slackEmu.waitFor(
        () => slackEmu.roots(slackEmu.seed.ideas)[0],
        60_000,
        'slack root card',
      );

      const bindings = await until(async () => {
        const rows = await db.selectFrom('chat_threads').selectAll().execute();
        return rows.length === 2 && rows;
      }, 'both bindings');
      const onDiscord = bindings.find((b) => b.platform === 'discord')!;
      const onSlack = bindings.find((b) => b.platform === 'slack')!;
      expect(onDiscord.thread_id).toBe(discordThread);
      expect(onSlack.thread_id).toBe(slackRoot.ts);
      expect(onDiscord.debate_id).not.toBe(onSlack.debate_id);

      for (const id of [onDiscord.debate_id, onSlack.debate_id]) {
        await until(
          async () => {
            const d = await engine.getDebate(id);
            return d && ['completed', 'cancelled', 'failed'].includes(d.status);
          },
          `debate ${id} end`,
          240_000,
        );
      }
      const discordDebate = (await engine.getDebate(onDiscord.debate_id))!;
      const slackDebate = (await engine.getDebate(onSlack.debate_id))!;
      expect(discordDebate.status).toBe('completed');
      expect(slackDebate.status).toBe('completed');
      expect(discordDebate.title).toContain(DISCORD_IDEA);
      expect(slackDebate.title).toContain(SLACK_IDEA);

      // Discord: the thread shows its own debate exactly — every turn once, in order, nothing else.
      const personas = await builtinCatalog();
      await until(
        async () => {
          const posts = discordEmu.messages(discordThread).filter((m) => m.webhookId !== null);
          return posts.length >= discordDebate.messages.filter((m) => m.authorKind === 'persona').length;
        },
        'discord thread delivered',
        120_000,
      );
      await until(
        async () =>
          discordEmu.messages(discordThread).some((m) => /Debate finished/.test(JSON.stringify(m.embeds))),
        'discord end banner',
        120_000,
      );
      await expectThreadMatchesDebate(discordEmu, engine, discordThread, onDiscord.debate_id, personas);

      // Slack: everything the bot posted is the one root card and its thread; every committed persona
      // turn of the Slack debate is there under its persona's name, and nothing of the Discord debate.
      const slackPersonaTurns = slackDebate.messages.filter((m) => m.authorKind === 'persona');
      await until(
        async () =>
          slackEmu.thread(slackEmu.seed.ideas, slackRoot.ts).filter((m) => m.username).length >=
            slackPersonaTurns.length && true,
        'slack thread delivered',
        120_000,
      );
      expect(slackEmu.roots(slackEmu.seed.ideas)).toHaveLength(1);
      const slackPosts = slackEmu.state.messages.filter((m) => !m.deleted);
      for (const m of slackPosts) {
        expect(m.channel).toBe(slackEmu.seed.ideas);
        expect(m.ts === slackRoot.ts || m.thread_ts === slackRoot.ts, m.text).toBe(true);
      }
      expect(slackPosts.map((m) => m.text).join('\n')).not.toContain(DISCORD_IDEA);
      // Every Slack persona post is a whole turn of the Slack debate, in turn order; none is a turn
      // of the Discord debate.
      const fromSlack = (t: string) => t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
      const personaPosts = slackEmu.thread(slackEmu.seed.ideas, slackRoot.ts).filter((m) => m.username);
      const slackContents = new Set(slackPersonaTurns.map((m) => m.content.trim()));
      const discordOnly = discordDebate.messages
        .filter((m) => m.authorKind === 'persona' && !slackContents.has(m.content.trim()))
        .map((m) => m.content.trim());
      expect(discordOnly.length).toBeGreaterThan(0);
      for (const post of personaPosts) {
        expect(discordOnly, post.username).not.toContain(fromSlack(post.text).trim());
      }
      const names = slackPersonaTurns.map((m) => m.agentName);
      let i = 0;
      for (const post of personaPosts) if (post.username === names[i]) i++;
      expect(i).toBe(names.length);
      // And the Discord thread carries nothing of the Slack debate.
      expect(
        discordEmu
          .messages(discordThread)
          .map((m) => m.content)
          .join('\n'),
      ).not.toContain(SLACK_IDEA);
    });
  },
);
