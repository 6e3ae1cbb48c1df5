import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { Client, Events, GatewayIntentBits, type Interaction, type Message } from 'discord.js';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { SecretBox } from '../../db/secrets/secret-box.ts';
import type { Arena, DebateDetailView } from '../../engine/api.ts';
import type { Clock } from '../../engine/clock.ts';
import { exportDebateMarkdown } from '../../engine/debate/export.ts';
import type { EventBus } from '../../engine/events.ts';
import type { Logger } from '../../engine/log.ts';
import type { Lang, Persona } from '../../personas/types.ts';
import { type ChatBot, createChatBot } from '../chat-bot.ts';
import type { ChatPlatform } from '../platform.ts';
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

export interface DiscordBotOptions {
  token: string;
  applicationId: string;
  /** Another Discord-compatible REST base (tests: the emulator); discord.js appends `/v10`. */
  apiUrl?: string;
  arena: Arena;
  bus: EventBus;
  db: Kysely<Database>;
  personas: readonly Persona[];
  /** Where avatars are served: `${publicUrl}/avatars/<id>.png`. */
  publicUrl: string;
  /** A role (id or name) that may start, stop, pause and resume besides Manage Threads. */
  managerRole?: string;
  /** Renders `/arena export`; defaults to the engine's Markdown export. */
  exportMarkdown?: (detail: DebateDetailView, lang: Lang) => string;
  log: Logger;
  clock: Clock;
  /** Webhook tokens are stored sealed with this box (see app/secrets.ts). */
  secrets: SecretBox;
}

export interface DiscordBot {
  bot: ChatBot;
  client: Client;
  /** The platform seam, for threads opened by the app itself (the daily debate). */
  platform: ChatPlatform;
  /** Disconnects at once; posts in flight are reconciled by the next start. */
  stop(): Promise<void>;
}

/** Logs in to Discord (or the emulator), then mirrors debates into threads until stopped. */
export async function startDiscordBot(o: DiscordBotOptions): Promise<DiscordBot> {
  const log = o.log.child('discord');
  const abort = new AbortController();
  // Every REST call listens on this one signal (so stop() can cut them all); that is not a leak.
  setMaxListeners(0, abort.signal);
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    allowedMentions: { parse: [] },
    ...(o.apiUrl ? { rest: { api: o.apiUrl } } : {}),
  });
  const webhooks = createWebhookManager({
    rest: client.rest,
    db: o.db,
    applicationId: o.applicationId,
    instanceId: randomBytes(6).toString('hex'),
    clock: o.clock,
    log,
    secrets: o.secrets,
    signal: abort.signal,
  });
  const platform = createDiscordPlatform({
    rest: client.rest,
    webhooks,
    botUserId: () => client.user?.id ?? null,
    log,
    signal: abort.signal,
  });
  const bot = createChatBot({
    platform,
    arena: o.arena,
    bus: o.bus,
    db: o.db,
    personas: o.personas,
    publicUrl: o.publicUrl,
    exportMarkdown: o.exportMarkdown ?? exportDebateMarkdown,
    ...(o.managerRole ? { managerRoleLabel: `the ${o.managerRole} role` } : {}),
    clock: o.clock,
    log,
  });

  client.on(Events.InteractionCreate, (i: Interaction) => {
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
  client.on(Events.MessageCreate, (m: Message) => {
    const human = toHumanMessage(m);
    if (!human) return;
    platform
      .receiveHumanMessage(human)
      .catch((error) =>
        log.error('human message failed', { error: error instanceof Error ? error.message : String(error) }),
      );
  });
  client.on(Events.Error, (error) => log.error('discord client error', { error: error.message }));

  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  try {
    await client.login(o.token);
    await withTimeout(ready, READY_TIMEOUT_MS, 'Discord did not send READY in time');
  } catch (error) {
    abort.abort();
    await client.destroy();
    throw error;
  }
  await bot.start();
  log.info('discord bot ready', { user: client.user?.tag ?? '?' });

  return {
    bot,
    client,
    platform,
    async stop() {
      bot.stop();
      abort.abort();
      await client.destroy();
    },
  };
}
