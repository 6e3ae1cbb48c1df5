import { SlackHttpReceiver } from '../bot/slack/http-receiver.ts';
import { withCachedReads } from '../engine/cache/cached-arena.ts';
import { systemClock } from '../engine/clock.ts';
import type { Logger } from '../engine/log.ts';
import { type Config, chatPlatformOff } from './config.ts';
import type { ArenaContext } from './context.ts';
import { openSecrets } from './secrets.ts';

/** One chat platform the arena can run on, as main.ts starts it. */
export interface PlatformStarter {
  id: 'discord' | 'slack';
  name: string;
  /** Why it is off (the setting to add), or null when it is configured. */
  off: string | null;
  start(): Promise<{
    detail: string;
    stop(): Promise<void>;
    /**
     * A gateway only one process may hold (Discord): started disconnected, connected by the process
     * holding the platform's lease (app/roles/leader.ts). Absent: every process may listen.
     */
    gateway?: { connect(): Promise<void>; disconnect(): Promise<void> };
  }>;
}

/** Slack's HTTP receiver when Slack runs in HTTP mode: mounted on the dashboard at /slack/events. */
export function slackHttpReceiver(config: Config, log: Logger): SlackHttpReceiver | null {
  if (!config.SLACK_BOT_TOKEN || config.SLACK_APP_TOKEN || !config.SLACK_SIGNING_SECRET) return null;
  return new SlackHttpReceiver({ signingSecret: config.SLACK_SIGNING_SECRET, log: log.child('slack') });
}

/** Every platform, configured or not; main.ts starts the configured ones side by side. */
export function chatPlatforms(p: {
  config: Config;
  ctx: ArenaContext;
  log: Logger;
  slackReceiver: SlackHttpReceiver | null;
  /** This process's name on the threads it delivers and the gateway it holds. */
  owner: string;
}): PlatformStarter[] {
  const { config, ctx, log } = p;
  const shared = {
    // `/arena budget` reads through the cache; everything else goes to the engine.
    arena: withCachedReads(ctx.arena, ctx.cache),
    bus: ctx.bus,
    db: ctx.database.db,
    personas: ctx.personas,
    publicUrl: config.PUBLIC_URL,
    log,
    clock: systemClock,
  };
  // Each platform counts its people's commands and messages; on Redis, together with every bot process.
  const limitsFor = () =>
    import('../bot/limits/open-limits.ts').then(({ openChatLimits }) =>
      openChatLimits({
        settings: {
          commandsPerMinute: config.CHAT_COMMANDS_PER_MINUTE,
          messagesPerMinute: config.CHAT_MESSAGES_PER_MINUTE,
        },
        redisUrl: config.REDIS_URL,
        redisPrefix: `${config.REDIS_PREFIX}limit:`,
        log,
      }),
    );
  return [
    {
      id: 'discord',
      name: 'Discord',
      off: chatPlatformOff(config, 'discord'),
      async start() {
        // Stored webhook tokens are sealed with this key; a wrong key stops Discord here, clearly.
        const secrets = await openSecrets(config, ctx.database.db, log);
        // Imported only when configured: discord.js is a large share of an idle arena's memory.
        const { startDiscordBot } = await import('../bot/discord/client.ts');
        const limits = await limitsFor();
        const discord = await startDiscordBot({
          ...shared,
          token: config.DISCORD_TOKEN!,
          applicationId: config.DISCORD_APPLICATION_ID!,
          ...(config.DISCORD_API_URL ? { apiUrl: config.DISCORD_API_URL } : {}),
          ...(config.DISCORD_MANAGER_ROLE ? { managerRole: config.DISCORD_MANAGER_ROLE } : {}),
          secrets,
          // The gateway is connected by whichever bot process holds Discord's lease (main.ts).
          gateway: false,
          deliveryOwner: p.owner,
          limits: limits.limits,
        }).catch(async (error) => {
          await limits.close();
          throw error;
        });
        return {
          detail: 'delivering; gateway held by the lease holder',
          stop: () => discord.stop().finally(limits.close),
          gateway: { connect: () => discord.connectGateway(), disconnect: () => discord.disconnectGateway() },
        };
      },
    },
    {
      id: 'slack',
      name: 'Slack',
      off: chatPlatformOff(config, 'slack'),
      async start() {
        const socket = config.SLACK_APP_TOKEN;
        // Imported only when configured, like discord.js.
        const { startSlackBot } = await import('../bot/slack/app.ts');
        const limits = await limitsFor();
        const slack = await startSlackBot({
          ...shared,
          botToken: config.SLACK_BOT_TOKEN!,
          mode: socket ? { kind: 'socket', appToken: socket } : { kind: 'http', receiver: p.slackReceiver! },
          ...(config.SLACK_API_URL ? { apiUrl: config.SLACK_API_URL } : {}),
          managers: (config.SLACK_MANAGERS ?? '')
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
          deliveryOwner: p.owner,
          limits: limits.limits,
        }).catch(async (error) => {
          await limits.close();
          throw error;
        });
        // No gateway lease for Slack: every bot process may hold a Socket Mode connection (Slack
        // allows 10 per app and sends each envelope to exactly one of them), so a command is handled
        // once and Slack stays reachable while any bot process is up; delivery is leased per thread.
        return {
          detail: socket ? 'Socket Mode' : `HTTP at ${config.PUBLIC_URL}/slack/events`,
          stop: () => slack.stop().finally(limits.close),
        };
      },
    },
  ];
}
