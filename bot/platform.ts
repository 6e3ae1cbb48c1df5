import type { ChatPlatformName } from '../db/schema.ts';

/** Where a debate lives on a platform: the parent channel and the thread inside it. */
export interface ThreadRef {
  workspaceId: string;
  channelId: string;
  threadId: string;
}

/** A persona (or a relayed person) speaking under its own name and picture. */
export interface Identity {
  username: string;
  avatarUrl: string;
}

export interface EmbedField {
  name: string;
  value: string;
  inline?: boolean;
}

/** A control on a debate's card: a Block Kit button in Slack, a message component in Discord. */
export type CardAction = 'pause' | 'resume' | 'stop' | 'export';

/** A platform-neutral card: a phase banner, a status view, an outcome. */
export interface Embed {
  title: string;
  description?: string;
  /** `#rrggbb` */
  color?: string;
  fields?: EmbedField[];
  footer?: string;
  /** Buttons under the card; pressing one runs the subcommand of the same name. */
  actions?: CardAction[];
}

/** One post: text (already within the platform's length limit) and/or an embed. */
export interface OutgoingPost {
  text?: string;
  embed?: Embed;
  /** Post as this identity; absent means the bot itself. */
  identity?: Identity;
}

/** A post the bot made, as read back from the platform (for reconciling after a crash). */
export interface OwnPost {
  id: string;
  /** Username of the identity, or null when the bot itself posted it. */
  username: string | null;
  text: string;
  embedTitle: string | null;
}

/** A file attached to a command reply. */
export interface ReplyFile {
  name: string;
  content: string;
}

export type CommandReply =
  | { ok: true; text: string; embed?: Embed; file?: ReplyFile }
  | { ok: false; text: string };

export interface CommandUser {
  id: string;
  displayName: string;
  /** May start, stop, pause and resume debates (the platform's manager permission or role). */
  canManage: boolean;
}

/** A slash command as every platform hands it over: raw option values, parsed later with zod. */
export interface IncomingCommand {
  subcommand: string;
  options: Record<string, unknown>;
  user: CommandUser;
  workspaceId: string;
  /** Channel the command was typed in (the thread itself when typed inside a thread). */
  channelId: string;
  /** Set when the command was typed inside a thread: that thread's parent channel. */
  parentChannelId: string | null;
  /** Acknowledges within the platform's deadline; the answer follows with `respond`. */
  defer(opts: { ephemeral: boolean }): Promise<void>;
  /** Sends the answer; a refusal is shown only to the person who asked. */
  respond(reply: CommandReply): Promise<void>;
}

/** A person's message in a thread; bots, webhooks and the app's own posts never arrive here. */
export interface IncomingHumanMessage {
  workspaceId: string;
  threadId: string;
  messageId: string;
  author: { id: string; displayName: string };
  text: string;
  /** The post this message replies to, when it is a reply. */
  replyToPostId: string | null;
}

/** How a platform formats things inside text. */
export interface PlatformFormat {
  /** A clickable reference to a thread. */
  threadLink(thread: ThreadRef): string;
  /** A reference to a person that does not notify them. */
  userMention(userId: string): string;
}

/**
 * What the platform-neutral bot needs from Discord, Slack or a test double: threads, posts as an
 * identity, edits, and the two inbound streams (commands, human messages).
 */
export interface ChatPlatform {
  readonly name: ChatPlatformName;
  /** Longest text one post may carry. */
  readonly maxPostLength: number;
  readonly format: PlatformFormat;
  /** Delivery pacing this platform asks for (streaming edits at least this far apart). */
  readonly pacing?: { streamEditIntervalMs: number };
  /** Who may manage debates, in this platform's words; whether anyone may start one. */
  readonly permissions?: { managersLabel: string; anyoneMayStart?: boolean };
  /** The identity as the platform will show it (e.g. a username made acceptable to Discord). */
  normalizeIdentity(identity: Identity): Identity;
  openThread(input: { workspaceId: string; channelId: string; title: string }): Promise<ThreadRef>;
  /** Posts and returns the new post's id. Throws `DeliveryError` on failure. */
  post(thread: ThreadRef, post: OutgoingPost): Promise<string>;
  /** Replaces a post's content; `post.identity` says whether it was an identity's post. */
  edit(thread: ThreadRef, postId: string, post: OutgoingPost): Promise<void>;
  deletePost(thread: ThreadRef, postId: string, byIdentity: boolean): Promise<void>;
  /** The app's own recent posts in a thread, oldest first. */
  recentOwnPosts(thread: ThreadRef, limit: number): Promise<OwnPost[]>;
  onCommand(handler: (command: IncomingCommand) => Promise<void>): void;
  onHumanMessage(handler: (message: IncomingHumanMessage) => Promise<void>): void;
}

export type DeliveryErrorCode =
  /** Worth retrying later: 5xx, 429 the client gave up on, network errors. */
  | 'retryable'
  /** The post to edit or delete is gone. */
  | 'unknown_post'
  /** The thread or channel is gone or the app lost access: retrying will not help. */
  | 'gone'
  /** The platform refused the content itself. */
  | 'rejected';

/** A failed platform call, classified so delivery knows whether to retry. */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    readonly code: DeliveryErrorCode,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
