import { App, type Logger as BoltLogger, LogLevel, SocketModeReceiver } from '@slack/bolt';
import { latestBindingInChannel } from '../../db/repositories/chat.ts';
import type { Logger } from '../../engine/log.ts';
import { type ChatBot, createChatBot } from '../chat-bot.ts';
import { chatBotDeps, type PlatformBotOptions } from '../platform-bot.ts';
import { handleCardAction, handleSlashCommand, type InboundDeps } from './commands-in.ts';
import type { SlackHttpReceiver } from './http-receiver.ts';
import { mayBeHumanReply, toHumanMessage } from './messages-in.ts';
import { createPeople } from './people.ts';
import { missingScopes, scopeError } from './scopes.ts';
import { createSlackPlatform, type SlackPlatform } from './slack-platform.ts';

export interface SlackBotOptions extends PlatformBotOptions {
  botToken: string;
  /** HTTP mode: the receiver mounted at `/slack/events`; Socket Mode: the `xapp-` token. */
  mode: { kind: 'http'; receiver: SlackHttpReceiver } | { kind: 'socket'; appToken: string };
  /** Another Web API base (tests: the emulator), ending in `/`. */
  apiUrl?: string;
  /** User ids that may pause, resume and stop any debate. */
  managers?: readonly string[];
}

export interface SlackBot {
  bot: ChatBot;
  app: App;
  platform: SlackPlatform;
  stop(): Promise<void>;
}

/** Checks the token and its scopes, then mirrors debates into Slack threads until stopped. */
export async function startSlackBot(o: SlackBotOptions): Promise<SlackBot> {
  const log = o.log.child('slack');
  const logger = boltLogger(log);
  const clientOptions = {
    ...(o.apiUrl ? { slackApiUrl: o.apiUrl } : {}),
    // The outbox retries for as long as it takes; WebClient only rides out short blips (and 429s).
    retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2_000 },
  };
  const receiver =
    o.mode.kind === 'http'
      ? o.mode.receiver
      : new SocketModeReceiver({
          appToken: o.mode.appToken,
          logger,
          installerOptions: { clientOptions: o.apiUrl ? { slackApiUrl: o.apiUrl } : {} },
        });
  const app = new App({ token: o.botToken, receiver, logger, clientOptions, deferInitialization: true });
  await app.init();

  const auth = await app.client.auth.test();
  const missing = missingScopes(auth.response_metadata?.scopes);
  if (missing.length > 0) throw scopeError(missing);
  const botId = String(auth.bot_id ?? '');
  const botUserId = String(auth.user_id ?? '');
  const teamUrl = String(auth.url ?? 'https://slack.com/');

  const platform = createSlackPlatform({ client: app.client, botId: () => botId, teamUrl: () => teamUrl });
  const person = createPeople(app.client, o.managers ?? []);
  const bot = createChatBot(
    chatBotDeps(o, {
      platform,
      log,
      ...(o.managers?.length ? { managerRoleLabel: 'the people in SLACK_MANAGERS' } : {}),
    }),
  );
  const inbound: InboundDeps = {
    platform,
    client: app.client,
    person,
    async latestThread(workspaceId, channelId) {
      const b = await latestBindingInChannel(o.db, 'slack', workspaceId, channelId);
      return b ? { workspaceId, channelId, threadId: b.threadId } : null;
    },
  };
  const failed = (what: string) => (error: unknown) =>
    log.error(`${what} failed`, { error: error instanceof Error ? error.message : String(error) });

  app.command('/arena', async ({ ack, command, respond }) => {
    // Acknowledge at once: every answer follows through response_url, well inside Slack's 3 s.
    await ack();
    await handleSlashCommand(command, respond, inbound).catch(failed('command'));
  });
  app.action(/^arena_(pause|resume|stop|export)$/, async ({ ack, body, respond }) => {
    await ack();
    await handleCardAction(body, respond, inbound).catch(failed('button'));
  });
  app.event('message', async ({ event, body }) => {
    if (!mayBeHumanReply(event as never)) return;
    const who = await person(String((event as { user?: string }).user ?? ''));
    const human = toHumanMessage(event, { teamId: body.team_id, botUserId, displayName: who.displayName });
    if (human) await platform.receiveHumanMessage(human).catch(failed('human message'));
  });
  app.error(async (error) => failed('slack app')(error));

  await app.start();
  await bot.start();
  log.info('slack bot ready', { mode: o.mode.kind });
  return {
    bot,
    app,
    platform,
    async stop() {
      bot.stop();
      await app.stop().catch(() => {});
    },
  };
}

function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const text = (msgs: unknown[]) => msgs.map((m) => (m instanceof Error ? m.message : String(m))).join(' ');
  return {
    debug: (...m) => log.debug(text(m)),
    info: (...m) => log.debug(text(m)),
    warn: (...m) => log.warn(text(m)),
    error: (...m) => log.error(text(m)),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
