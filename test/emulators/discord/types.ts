/** A fixed-window rate limit: at most `limit` requests per `windowMs`. */
export interface RateLimitRule {
  limit: number;
  windowMs: number;
}

/** Rate limits the emulator enforces; every 429 served is recorded. */
export interface RateLimitConfig {
  /** Per webhook, shared by execute and edit (advertised in X-RateLimit-* headers). Discord: ~5 / 2 s. */
  webhook: RateLimitRule;
  /**
   * Per target channel (the thread when `thread_id` is given), counting message creations: bot posts
   * (advertised) and webhook executes (not advertised, answered with scope "shared"). Discord: 30 / 60 s.
   */
  channel: RateLimitRule;
}

export interface DiscordEmulatorOptions {
  /** Bot token expected in `Authorization: Bot …` and in IDENTIFY. */
  token?: string;
  /** HELLO heartbeat_interval; discord.js sends its first heartbeat after a random share of it. */
  heartbeatIntervalMs?: number;
  /** Initial interaction response deadline (Discord: 3000 ms). */
  interactionDeadlineMs?: number;
  rateLimits?: Partial<RateLimitConfig>;
  /** Validate the emulator's own JSON responses against the OpenAPI spec (default true). */
  validateResponses?: boolean;
}

export interface EmuUser {
  id: string;
  username: string;
  globalName: string | null;
  bot: boolean;
}

export interface EmuRole {
  id: string;
  name: string;
  permissions: bigint;
  position: number;
}

export interface EmuMember {
  userId: string;
  roles: string[];
  nick: string | null;
  joinedAt: string;
}

export interface EmuChannel {
  id: string;
  /** 0 text, 11 public thread, 12 private thread. */
  type: 0 | 11 | 12;
  name: string;
  parentId: string | null;
  ownerId: string | null;
  topic: string | null;
  autoArchiveDuration: number;
  archived: boolean;
  locked: boolean;
  createdAt: number;
}

export interface EmuWebhook {
  id: string;
  /** The webhook's secret token. */
  token: string;
  name: string;
  channelId: string;
  creatorId: string;
  createdAt: number;
}

export interface StoredFile {
  /** Multipart field name, e.g. `files[0]`. */
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface StoredAttachment {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  data: Buffer;
  url: string;
}

export interface StoredMessage {
  id: string;
  channelId: string;
  /** Discord message type: 0 default, 19 reply, 20 chat input command. */
  type: number;
  content: string;
  embeds: unknown[];
  attachments: StoredAttachment[];
  author: EmuUser;
  /** Set for webhook posts (the webhook id) and interaction responses (the application id). */
  webhookId: string | null;
  /** avatar_url given when the webhook executed. */
  avatarUrl: string | null;
  /** allowed_mentions as sent (null when absent). */
  allowedMentions: unknown;
  mentionIds: string[];
  messageReference: { messageId: string; channelId: string } | null;
  flags: number;
  nonce: string | null;
  interactionId: string | null;
  createdAt: number;
  editedAt: number | null;
  /** Earlier contents, oldest first, one per edit. */
  history: string[];
  /** Message components (action rows of buttons) as sent. */
  components: unknown[];
  deleted: boolean;
}

export interface RecordedRequest {
  method: string;
  /** Path below `/api/v10`, e.g. `/channels/123/messages`. */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON body, or `payload_json` of a multipart body. */
  body: unknown;
  files: StoredFile[];
  /** Request headers without Authorization. */
  headers: Record<string, string>;
  time: number;
  status: number;
}

export type ViolationKind =
  | 'request-spec'
  | 'response-spec'
  | 'rule'
  | 'rate-limit'
  | 'deadline'
  | 'auth'
  | 'unknown-route'
  | 'gateway';

export interface Violation {
  kind: ViolationKind;
  message: string;
  method?: string;
  path?: string;
  details?: unknown;
  time: number;
}

export interface RateLimitHit {
  method: string;
  path: string;
  bucket: string;
  scope: 'user' | 'shared';
  retryAfter: number;
  time: number;
}

export interface FaultSpec {
  /** Only requests with this method (any when omitted). */
  method?: string;
  /** Path below `/api/v10`: a RegExp, or a string where `*` matches anything, e.g. `/webhooks/*`. */
  pathPattern: RegExp | string;
  status: number;
  /** How many matching requests fail (default 1). */
  count?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type InteractionResponseKind =
  | 'callback'
  | 'edit-original'
  | 'get-original'
  | 'delete-original'
  | 'followup'
  | 'edit-followup';

export interface InteractionResponse {
  kind: InteractionResponseKind;
  /** Callback type for `callback` (4 message, 5 deferred, 8 autocomplete result, 9 modal). */
  callbackType: number | null;
  body: unknown;
  files: StoredFile[];
  status: number;
  time: number;
}

export interface InteractionRecord {
  id: string;
  token: string;
  /** 2 application command, 3 message component (a button), 4 autocomplete. */
  type: 2 | 3 | 4;
  /** For a component interaction: the message whose button was pressed. */
  messageId: string | null;
  /** For a component interaction: the button's custom_id. */
  customId: string | null;
  userId: string;
  channelId: string;
  commandName: string;
  subcommand: string | null;
  dispatchedAt: number;
  acknowledgedAt: number | null;
  /** The callback came after the deadline (or never came). */
  deadlineMissed: boolean;
  ephemeral: boolean;
  originalMessageId: string | null;
  followupIds: string[];
  responses: InteractionResponse[];
}

export type OptionValue = string | number | boolean;

export interface InvokeCommandInput {
  user: EmuUser | string;
  channelId: string;
  /** Defaults to `arena`. */
  name?: string;
  subcommandGroup?: string;
  subcommand?: string;
  options?: Record<string, OptionValue>;
  locale?: string;
}

export interface ClickButtonInput {
  user: EmuUser | string;
  /** The message carrying the button. */
  messageId: string;
  customId: string;
}

export interface AutocompleteInput extends InvokeCommandInput {
  /** The option the user is typing in. */
  focused: string;
}

export interface SendUserMessageInput {
  user: EmuUser | string;
  channelId: string;
  content: string;
  /** Message id this one replies to. */
  replyTo?: string;
  /** Mentioned user ids (in addition to `<@id>` found in the content). */
  mentions?: string[];
}
