/**
 * A small Discord emulator (REST v10 + gateway WebSocket, plain JSON frames, 18–19 digit snowflakes) for
 * driving the real discord.js client. Usage (helpers in ./testing.ts):
 *
 *   const emu = await startDiscordEmulator({ rateLimits: { channel: { limit: 1000, windowMs: 60_000 } } });
 *   const client = await loginDiscordClient(emu);  // = new Client({ intents, rest: { api: emu.apiUrl } }).login(emu.token)
 *   const { guildId, channels, users, roles } = emu.seed; // #ideas, #general; alice: Manage Threads, bob/carol: not
 *   const i = emu.invokeCommand({ user: users.alice, channelId: channels.ideas, subcommand: 'start',
 *                                 options: { idea: 'Tax robots', rounds: 3 } });  // INTERACTION_CREATE
 *   await emu.waitFor(() => emu.interactionReply(i.id)?.content.includes('Started'), 5000);
 *   emu.interactionResponses(i.id);                  // callback (5 = deferred), edit-original, followup…
 *   const thread = emu.threads[0];                   // { id, name, parentId, archived, … }
 *   emu.messages(thread.id);                         // oldest first: content, webhookId, author.username, avatarUrl,
 *                                                    // allowedMentions, embeds, attachments (with data), history
 *   emu.clickButton({ user: users.bob, messageId, customId: 'arena:pause' }); // INTERACTION_CREATE type 3
 *   emu.sendUserMessage({ user: users.bob, channelId: thread.id, content: 'And jobs?', replyTo: messageId });
 *   emu.webhooks(channels.ideas); emu.requests; emu.rateLimitHits; emu.deleteWebhook(id); emu.archiveThread(id)
 *   emu.failNext({ method: 'POST', pathPattern: '/webhooks/*', status: 404, body: { code: 10015, message: 'Unknown Webhook' } });
 *   await emu.settle(); emu.violationsOf('request-spec', 'rule', 'deadline');
 *   await client.destroy(); await emu.close();      // destroy clients first, or discord.js keeps reconnecting
 *
 * Enforced as on Discord: the bot token (REST and IDENTIFY); request bodies against Discord's OpenAPI spec
 * (400 50035 "Invalid Form Body"); content ≤ 2000; webhook usernames 1–80 chars without "clyde"/"discord";
 * 15 webhooks per channel (30007); unknown webhook or wrong token → 404 10015; edits of a thread's webhook
 * messages need `thread_id` (else 10008); one initial interaction response within `interactionDeadlineMs`
 * (else 10062; twice → 40060); the MessageContent intent; rate limits per webhook (execute + edit, 5 / 2 s,
 * advertised) and per target channel (30 / 60 s; for webhooks hidden until hit, scope "shared") → 429 with
 * `retry_after`. Tests with a fast fake LLM should loosen `channel`, or posts wait out the minute. Every
 * breach lands in `violations`. @discordjs/rest retries 5xx three times: `failNext` 500s need `count: 4`.
 */
import type { Server } from 'node:http';
import { createActors } from './actors.ts';
import type { EmulatorContext } from './context.ts';
import { createGateway } from './gateway.ts';
import { createHttpFrontend } from './http-server.ts';
import { dispatchComponent, dispatchInteraction } from './interactions.ts';
import { channelMessages, redeliverMessage } from './messages.ts';
import { createRateLimiter } from './rate-limiter.ts';
import { createRecords } from './records.ts';
import { channelRoutes } from './routes/channels.ts';
import { commandRoutes } from './routes/commands.ts';
import { guildRoutes } from './routes/guild.ts';
import { interactionRoutes } from './routes/interactions.ts';
import { metaRoutes } from './routes/meta.ts';
import { webhookMessageRoutes } from './routes/webhook-messages.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { createSnowflakes, randomToken } from './snowflake.ts';
import { createAsyncSpecValidator } from './spec-client.ts';
import type {
  AutocompleteInput,
  ClickButtonInput,
  DiscordEmulatorOptions,
  EmuChannel,
  EmuWebhook,
  FaultSpec,
  InteractionRecord,
  InteractionResponse,
  InvokeCommandInput,
  RateLimitConfig,
  RateLimitHit,
  RecordedRequest,
  StoredMessage,
  Violation,
  ViolationKind,
} from './types.ts';
import { createWorld, listThreads, type SeedIds, type StoredCommand } from './world.ts';

export type * from './types.ts';
export type { SeedIds, StoredCommand } from './world.ts';

/** Default limits, as Discord documents them. */
export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
  webhook: { limit: 5, windowMs: 2000 },
  channel: { limit: 30, windowMs: 60_000 },
};

export interface DiscordEmulator {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** Pass as discord.js `rest.api` (discord.js appends `/v10`). */
  apiUrl: string;
  /** `ws://127.0.0.1:PORT/gateway`, as GET /gateway/bot reports it. */
  gatewayUrl: string;
  /** The bot token the emulator accepts. */
  token: string;
  seed: SeedIds;
  /** Every REST request (Authorization header removed), in arrival order. */
  requests: RecordedRequest[];
  violations: Violation[];
  rateLimitHits: RateLimitHit[];
  /** Threads, oldest first. */
  readonly threads: EmuChannel[];
  violationsOf(...kinds: ViolationKind[]): Violation[];
  /** Visible messages of a channel or thread, oldest first. */
  messages(channelId: string): StoredMessage[];
  message(id: string): StoredMessage | undefined;
  webhooks(channelId?: string): EmuWebhook[];
  /** Registered commands: global, or the guild's when `guildId` is given. */
  commands(guildId?: string): StoredCommand[];
  /** Sends a slash command (INTERACTION_CREATE type 2) and starts its response deadline. */
  invokeCommand(input: InvokeCommandInput): InteractionRecord;
  /** Presses a button on a message (INTERACTION_CREATE type 3) and starts its response deadline. */
  clickButton(input: ClickButtonInput): InteractionRecord;
  /** Sends an autocomplete interaction (type 4) with `focused` as the option being typed. */
  autocomplete(input: AutocompleteInput): InteractionRecord;
  interaction(id: string): InteractionRecord | undefined;
  interactionResponses(id: string): InteractionResponse[];
  /** The interaction's original response message as it stands now (after edits). */
  interactionReply(id: string): StoredMessage | undefined;
  sendUserMessage: ReturnType<typeof createActors>['sendUserMessage'];
  /** Dispatches a stored message's MESSAGE_CREATE once more (a gateway replay delivers it twice). */
  redeliverMessage(id: string): void;
  createUser: ReturnType<typeof createActors>['createUser'];
  createChannel: ReturnType<typeof createActors>['createChannel'];
  createRole: ReturnType<typeof createActors>['createRole'];
  setRolePermissions: ReturnType<typeof createActors>['setRolePermissions'];
  setMemberRoles: ReturnType<typeof createActors>['setMemberRoles'];
  deleteWebhook: ReturnType<typeof createActors>['deleteWebhook'];
  archiveThread: ReturnType<typeof createActors>['archiveThread'];
  /** Makes the next `count` matching requests fail with `status` (and `body`). */
  failNext(fault: FaultSpec): void;
  setRateLimits(limits: Partial<RateLimitConfig>): void;
  /** Closes gateway sockets (default code 4000: discord.js resumes); `invalidate` forgets the sessions. */
  disconnectGateway(opts?: { code?: number; invalidate?: boolean }): void;
  /** Gateway connections that have identified (or resumed): those that receive dispatches. */
  gatewayConnections(): number;
  /** Waits for pending response validations, so `violations` is complete. */
  settle(): Promise<void>;
  /** Resolves with the predicate's first truthy value; re-checked on every change and every 25 ms. */
  waitFor<T>(predicate: () => T | null | undefined | false, timeoutMs?: number, label?: string): Promise<T>;
  close(): Promise<void>;
}

/** Starts the emulator on 127.0.0.1 with a random port and a seeded guild. */
export async function startDiscordEmulator(opts: DiscordEmulatorOptions = {}): Promise<DiscordEmulator> {
  const now = Date.now;
  const nextId = createSnowflakes(now);
  const { world, seed } = createWorld({ nextId, now });
  const records = createRecords(now);
  const token = opts.token ?? `emu.${randomToken(24)}.${randomToken(38)}`;
  let baseUrl = '';
  const ctx = {
    world,
    records,
    limiter: createRateLimiter(now),
    nextId,
    now,
    token,
    baseUrl: () => baseUrl,
    rateLimits: {
      webhook: opts.rateLimits?.webhook ?? DEFAULT_RATE_LIMITS.webhook,
      channel: opts.rateLimits?.channel ?? DEFAULT_RATE_LIMITS.channel,
    },
    interactionDeadlineMs: opts.interactionDeadlineMs ?? 3000,
    timers: new Set(),
  } as Omit<EmulatorContext, 'gateway'> as EmulatorContext;
  const gatewayUrl = () => `${baseUrl.replace(/^http/, 'ws')}/gateway`;

  const routes = [
    ...metaRoutes(ctx, gatewayUrl),
    ...commandRoutes(ctx),
    ...interactionRoutes(ctx),
    ...webhookRoutes(ctx),
    ...webhookMessageRoutes(ctx),
    ...channelRoutes(ctx),
    ...guildRoutes(ctx),
  ];
  const validator = createAsyncSpecValidator();
  validator.warm(
    routes.flatMap((r) =>
      r.spec
        ? [
            {
              specPath: r.spec,
              method: r.method,
              status: r.method === 'POST' && r.pattern.endsWith('/threads') ? 201 : 200,
            },
          ]
        : [],
    ),
  );
  const http = createHttpFrontend({
    routes,
    records,
    validator,
    token,
    validateResponses: opts.validateResponses ?? true,
    now,
    serveStatic: (path) => serveAttachment(world.messages, path),
  });
  ctx.gateway = createGateway({
    server: http.server,
    world,
    records,
    token,
    heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 41_250,
    gatewayUrl,
  });
  const port = await listen(http.server);
  baseUrl = `http://127.0.0.1:${port}`;
  const actors = createActors(ctx);
  let closing: Promise<void> | undefined;

  return {
    url: baseUrl,
    apiUrl: `${baseUrl}/api`,
    gatewayUrl: gatewayUrl(),
    token,
    seed,
    requests: records.requests,
    violations: records.violations,
    rateLimitHits: records.rateLimitHits,
    get threads() {
      return listThreads(world);
    },
    violationsOf: (...kinds) => records.violations.filter((v) => kinds.includes(v.kind)),
    messages: (channelId) => channelMessages(ctx, channelId),
    message: (id) => world.messages.get(id),
    webhooks: (channelId) =>
      [...world.webhooks.values()].filter((w) => !channelId || w.channelId === channelId),
    commands: (guildId) => (guildId ? (world.guildCommands.get(guildId) ?? []) : world.globalCommands),
    invokeCommand: (input) => dispatchInteraction(ctx, input, 2),
    redeliverMessage: (id) => redeliverMessage(ctx, id),
    autocomplete: (input) => dispatchInteraction(ctx, input, 4, input.focused),
    clickButton: (input) => dispatchComponent(ctx, input),
    interaction: (id) => world.interactions.get(id),
    interactionResponses: (id) => world.interactions.get(id)?.responses ?? [],
    interactionReply: (id) => {
      const messageId = world.interactions.get(id)?.originalMessageId;
      return messageId ? world.messages.get(messageId) : undefined;
    },
    ...actors,
    failNext: http.failNext,
    settle: http.settle,
    setRateLimits(limits) {
      Object.assign(ctx.rateLimits, limits);
      ctx.limiter.reset();
    },
    disconnectGateway: ({ code = 4000, invalidate = false } = {}) =>
      ctx.gateway.disconnectAll(code, invalidate),
    gatewayConnections: () => ctx.gateway.connections(),
    waitFor: (predicate, timeoutMs, label) => records.waitFor(predicate, timeoutMs, label),
    close() {
      closing ??= (async () => {
        await http.settle();
        records.dispose();
        for (const t of ctx.timers) clearTimeout(t);
        ctx.timers.clear();
        await ctx.gateway.close();
        http.server.closeAllConnections();
        await new Promise<void>((resolve) => http.server.close(() => resolve()));
      })();
      return closing;
    },
  };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

// GET /attachments/:channelId/:attachmentId/:filename serves uploaded files back.
function serveAttachment(messages: Map<string, StoredMessage>, path: string) {
  const m = /^\/attachments\/\d+\/(\d+)\//.exec(path);
  if (!m) return undefined;
  for (const msg of messages.values()) {
    const att = msg.attachments.find((a) => a.id === m[1]);
    if (att) return { status: 200, raw: { data: att.data, contentType: att.contentType } };
  }
  return undefined;
}
