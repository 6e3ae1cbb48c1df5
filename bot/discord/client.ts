import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import {
  type APIUser,
  Client,
  Events,
  GatewayIntentBits,
  type Interaction,
  type Message,
  REST,
  Routes,
} from 'discord.js';
import type { SecretBox } from '../../db/secrets/secret-box.ts';
import { type ChatBot, createChatBot } from '../chat-bot.ts';
import type { ChatPlatform } from '../platform.ts';
import { chatBotDeps, type PlatformBotOptions } from '../platform-bot.ts';
import { cardActionOf } from './components.ts';
import { createDiscordPlatform } from './discord-platform.ts';
import { answerAutocomplete, toButtonCommand, toIncomingCommand } from './interactions.ts';
import { toHumanMessage } from './messages-in.ts';
import { createWebhookManager } from './webhooks.ts';

// The gateway normally answers within a second; a minute covers a slow reconnect after a redeploy.
const READY_TIMEOUT_MS = 60_000;

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface DiscordBotOptions extends PlatformBotOptions {
  token: string;
  applicationId: string;
  /** Another Discord-compatible REST base (tests: the emulator); discord.js appends `/v10`. */
  apiUrl?: string;
  /** A role (id or name) that may start, stop, pause and resume besides Manage Threads. */
  managerRole?: string;
  /** Webhook tokens are stored sealed with this box (see app/secrets.ts). */
  secrets: SecretBox;
  /** Connect the gateway at start (default); false leaves it to `connectGateway`. */
  gateway?: boolean;
}

export interface DiscordBot {
  bot: ChatBot;
  /** The gateway client while this process holds the gateway, else null. */
  readonly client: Client | null;
  /** Logs in to the gateway (commands, people's messages); a no-op while connected. */
  connectGateway(): Promise<void>;
  /** Leaves the gateway; delivery goes on over REST. */
  disconnectGateway(): Promise<void>;
  /** The platform seam, for threads opened by the app itself (the daily debate). */
  platform: ChatPlatform;
  /** Disconnects at once; posts in flight are reconciled by the next start. */
  stop(): Promise<void>;
}

/**
 * Mirrors debates into threads until stopped. Delivery uses REST only, so every bot process may
 * deliver; the gateway (commands, people's messages) connects at start unless `gateway` is false,
 * and then only through `connectGateway` (the process holding the platform's lease, app/roles).
 */
export async function startDiscordBot(o: DiscordBotOptions): Promise<DiscordBot> {
  const log = o.log.child('discord');
  const abort = new AbortController();
  // Every REST call listens on this one signal (so stop() can cut them all); that is not a leak.
  setMaxListeners(0, abort.signal);
  // Its own REST client: a gateway client clears its token when it disconnects.
  const rest = new REST(o.apiUrl ? { api: o.apiUrl } : {}).setToken(o.token);
  let botUser: string | null = null;
  let client: Client | null = null;
  const webhooks = createWebhookManager({
    rest,
    db: o.db,
    applicationId: o.applicationId,
    instanceId: randomBytes(6).toString('hex'),
    clock: o.clock,
    log,
    secrets: o.secrets,
    signal: abort.signal,
  });
  const platform = createDiscordPlatform({
    rest,
    webhooks,
    botUserId: () => client?.user?.id ?? botUser,
    log,
    signal: abort.signal,
  });
  const bot = createChatBot(
    chatBotDeps(o, {
      platform,
      log,
      ...(o.managerRole ? { managerRoleLabel: `the ${o.managerRole} role` } : {}),
    }),
  );

  function gatewayClient(): Client {
    const c = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
      allowedMentions: { parse: [] },
      ...(o.apiUrl ? { rest: { api: o.apiUrl } } : {}),
    });
    c.on(Events.InteractionCreate, (i: Interaction) => {
      const action = i.isButton() ? cardActionOf(i.customId) : null;
      const work = i.isChatInputCommand()
        ? i.commandName === 'arena'
          ? platform.receiveCommand(toIncomingCommand(i, o.managerRole))
          : Promise.resolve()
        : i.isAutocomplete()
          ? answerAutocomplete(i, o.personas)
          : i.isButton() && action
            ? platform.receiveCommand(toButtonCommand(i, action, o.managerRole))
            : Promise.resolve();
      work.catch((error) =>
        log.error('interaction failed', { error: error instanceof Error ? error.message : String(error) }),
      );
    });
    c.on(Events.MessageCreate, (m: Message) => {
      const human = toHumanMessage(m);
      if (!human) return;
      platform.receiveHumanMessage(human).catch((error) =>
        log.error('human message failed', {
          error: error instanceof Error ? error.message : String(error),
        }),
      );
    });
    c.on(Events.Error, (error) => log.error('discord client error', { error: error.message }));
    return c;
  }

  async function connectGateway(): Promise<void> {
    if (client) return;
    const c = gatewayClient();
    const ready = new Promise<void>((resolve) => c.once(Events.ClientReady, () => resolve()));
    try {
      await c.login(o.token);
      await withTimeout(ready, READY_TIMEOUT_MS, 'Discord did not send READY in time');
    } catch (error) {
      await c.destroy();
      throw error;
    }
    client = c;
    botUser = c.user?.id ?? botUser;
    log.info('discord gateway connected', { user: c.user?.tag ?? '?' });
  }

  async function disconnectGateway(): Promise<void> {
    const c = client;
    client = null;
    if (c) await c.destroy();
  }

  try {
    if (o.gateway !== false) await connectGateway();
    // Without the gateway the bot's own id (to tell its posts apart) comes from REST.
    botUser ??= ((await rest.get(Routes.user(), { signal: abort.signal })) as APIUser).id;
  } catch (error) {
    abort.abort();
    await disconnectGateway();
    throw error;
  }
  await bot.start();
  log.info(o.gateway === false ? 'discord delivery ready (gateway held elsewhere)' : 'discord bot ready');

  return {
    bot,
    get client() {
      return client;
    },
    platform,
    connectGateway,
    disconnectGateway,
    async stop() {
      bot.stop();
      abort.abort();
      await disconnectGateway();
    },
  };
}
