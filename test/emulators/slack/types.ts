/** A message as the emulated workspace stores it (Slack's own field names). */
export interface SlackMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  /** A person's message. */
  user?: string;
  /** The app's posts (with or without a customised identity). */
  bot_id?: string;
  app_id?: string;
  username?: string;
  icon_url?: string;
  blocks?: unknown[];
  subtype?: string;
  files?: Array<{ id: string; name: string }>;
  edited?: { ts: string };
  /** Every text the message had, oldest first (previews show up here). */
  history: string[];
  deleted?: boolean;
}

export interface SlackUser {
  id: string;
  name: string;
  is_admin: boolean;
  is_owner: boolean;
}

export interface ApiCall {
  method: string;
  body: Record<string, unknown>;
  at: number;
  status: number;
}

export interface UploadedFile {
  id: string;
  name: string;
  length: number;
  content: string;
  channel?: string;
  thread_ts?: string;
  initial_comment?: string;
}

/** What a response_url received from the app. */
export interface ResponseUrlPost {
  id: string;
  body: { text?: string; response_type?: string; replace_original?: boolean; blocks?: unknown[] };
}

export interface RateRule {
  limit: number;
  windowMs: number;
}

export interface SlackEmulatorOptions {
  /** Scopes the bot token was granted (the `x-oauth-scopes` header). */
  scopes?: string[];
  /** Per-channel limits of chat.postMessage and chat.update. */
  rateLimits?: { postMessage?: RateRule; update?: RateRule };
  /** How long the emulator waits for an ack, as Slack does (3 s). */
  ackDeadlineMs?: number;
}
