import type { WebClient } from '@slack/web-api';
import { openingCard } from '../card.ts';
import type {
  ChatPlatform,
  Embed,
  Identity,
  IncomingCommand,
  IncomingHumanMessage,
  OutgoingPost,
  OwnPost,
  ThreadRef,
} from '../platform.ts';
import { cardBlocks, cardText } from './blocks.ts';
import { toDeliveryError } from './errors.ts';
import { linkToken, renderMrkdwn, unescapeMrkdwn, userToken } from './mrkdwn.ts';

// Slack accepts 40,000 characters but advises under 4,000 for text people read.
const MAX_POST = 3_900;
// chat.postMessage is ~1/s per channel and chat.update is Tier 3: previews edit at most every 1.5 s.
const STREAM_EDIT_INTERVAL_MS = 1_500;

export interface SlackPlatformDeps {
  client: WebClient;
  /** The bot's own id (`auth.test` bot_id): posts with it are ours. */
  botId: () => string;
  /** `https://<workspace>.slack.com/`, for thread permalinks. */
  teamUrl: () => string;
}

function body(p: OutgoingPost) {
  // Persona text is the model's: never a mention or link. The app's own notices may mention people.
  const text = p.text !== undefined ? renderMrkdwn(p.text, !p.identity) : undefined;
  const blocks = p.embed
    ? [
        ...(text ? [{ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3000) } }] : []),
        ...cardBlocks(p.embed),
      ]
    : undefined;
  return {
    text: text ?? (p.embed ? cardText(p.embed) : ' '),
    ...(blocks ? { blocks } : {}),
    unfurl_links: false,
    unfurl_media: false,
  };
}

/** The Slack side of ChatPlatform: a thread is a root message's `thread_ts`. */
export interface SlackPlatform extends ChatPlatform {
  /** Replaces the root card of a thread (its state and buttons). */
  updateCard(thread: ThreadRef, card: Embed): Promise<void>;
  permalink(thread: ThreadRef): string;
  receiveCommand(command: IncomingCommand): Promise<void>;
  receiveHumanMessage(message: IncomingHumanMessage): Promise<void>;
}

export function createSlackPlatform(deps: SlackPlatformDeps): SlackPlatform {
  const { client } = deps;
  let onCommand: ((c: IncomingCommand) => Promise<void>) | null = null;
  let onHuman: ((m: IncomingHumanMessage) => Promise<void>) | null = null;
  const wrap =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } catch (error) {
        throw toDeliveryError(error);
      }
    };
  const permalink = (t: ThreadRef) =>
    `${deps.teamUrl().replace(/\/?$/, '/')}archives/${t.channelId}/p${t.threadId.replace('.', '')}`;

  return {
    name: 'slack',
    maxPostLength: MAX_POST,
    pacing: { streamEditIntervalMs: STREAM_EDIT_INTERVAL_MS },
    permissions: { managersLabel: 'the person who started it, workspace admins', anyoneMayStart: true },
    format: {
      threadLink: (t) => linkToken(permalink(t), 'the debate thread'),
      userMention: (id) => userToken(id),
    },
    normalizeIdentity: (i: Identity) => ({
      username: i.username.replace(/\s+/g, ' ').trim().slice(0, 80) || 'Persona',
      avatarUrl: i.avatarUrl,
    }),
    permalink,
    openThread: wrap(async ({ workspaceId, channelId, title }) => {
      const sent = await client.chat.postMessage({
        channel: channelId,
        ...body({ embed: openingCard(title) }),
      });
      return { workspaceId, channelId, threadId: String(sent.ts) };
    }),
    post: wrap(async (thread: ThreadRef, p: OutgoingPost) => {
      const sent = await client.chat.postMessage({
        channel: thread.channelId,
        thread_ts: thread.threadId,
        ...body(p),
        ...(p.identity ? { username: p.identity.username, icon_url: p.identity.avatarUrl } : {}),
      });
      return String(sent.ts);
    }),
    edit: wrap(async (thread: ThreadRef, postId: string, p: OutgoingPost) => {
      const b = body(p);
      await client.chat.update({
        channel: thread.channelId,
        ts: postId,
        text: b.text,
        // An edit replaces the whole post: a preview's blocks go when the final has none.
        blocks: (b.blocks ?? []) as never,
      });
    }),
    updateCard: wrap(async (thread: ThreadRef, card: Embed) => {
      await client.chat.update({
        channel: thread.channelId,
        ts: thread.threadId,
        text: cardText(card),
        blocks: cardBlocks(card) as never,
      });
    }),
    deletePost: wrap(async (thread: ThreadRef, postId: string) => {
      await client.chat.delete({ channel: thread.channelId, ts: postId });
    }),
    recentOwnPosts: wrap(async (thread: ThreadRef, limit: number): Promise<OwnPost[]> => {
      const all: OwnPost[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.conversations.replies({
          channel: thread.channelId,
          ts: thread.threadId,
          limit: 200,
          ...(cursor ? { cursor } : {}),
        });
        for (const m of (page.messages ?? []) as RepliedMessage[]) {
          // The root card and exported files are not outbox posts.
          if (m.ts === thread.threadId || m.bot_id !== deps.botId() || m.subtype === 'file_share') continue;
          all.push({
            id: String(m.ts),
            username: m.username ?? null,
            text: unescapeMrkdwn(m.text ?? ''),
            embedTitle: headerOf(m.blocks),
          });
        }
        cursor = page.response_metadata?.next_cursor || undefined;
      } while (cursor);
      return all.slice(-limit);
    }),
    onCommand(handler) {
      onCommand = handler;
    },
    onHumanMessage(handler) {
      onHuman = handler;
    },
    async receiveCommand(command) {
      if (onCommand) await onCommand(command);
    },
    async receiveHumanMessage(message) {
      if (onHuman) await onHuman(message);
    },
  };
}

interface RepliedMessage {
  ts?: string;
  bot_id?: string;
  subtype?: string;
  username?: string;
  text?: string;
  blocks?: unknown;
}

function headerOf(blocks: unknown): string | null {
  if (!Array.isArray(blocks)) return null;
  const h = blocks.find((b) => (b as { type?: string }).type === 'header') as
    | { text?: { text?: string } }
    | undefined;
  return h?.text?.text ?? null;
}
