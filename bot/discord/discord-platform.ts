import {
  type APIEmbed,
  type APIMessage,
  MessageType,
  type REST,
  Routes,
  ThreadAutoArchiveDuration,
} from 'discord.js';
import type { Logger } from '../../engine/log.ts';
import { openingCard } from '../card.ts';
import {
  type ChatPlatform,
  DeliveryError,
  type Embed,
  type IncomingCommand,
  type IncomingHumanMessage,
  type OutgoingPost,
  type OwnPost,
  type ThreadRef,
} from '../platform.ts';
import { cardComponents } from './components.ts';
import { DiscordCode, discordCode, toDeliveryError } from './errors.ts';
import { safeWebhookUsername } from './username.ts';
import type { ChannelHook, WebhookManager } from './webhooks.ts';

export interface DiscordPlatformDeps {
  rest: REST;
  webhooks: WebhookManager;
  /** The bot's own user id, known once the gateway is ready. */
  botUserId: () => string | null;
  log: Logger;
  signal?: AbortSignal;
}

/** The Discord side of ChatPlatform, plus the inlets the gateway client feeds. */
export interface DiscordPlatform extends ChatPlatform {
  receiveCommand(command: IncomingCommand): Promise<void>;
  receiveHumanMessage(message: IncomingHumanMessage): Promise<void>;
}

// Model output must never ping anyone, whatever it contains.
const NO_MENTIONS: { parse: [] } = { parse: [] };

export function toApiEmbed(e: Embed): APIEmbed {
  return {
    title: e.title.slice(0, 256),
    ...(e.description ? { description: e.description.slice(0, 4096) } : {}),
    ...(e.color ? { color: Number.parseInt(e.color.replace('#', ''), 16) } : {}),
    ...(e.fields
      ? {
          fields: e.fields.slice(0, 25).map((f) => ({
            name: f.name.slice(0, 256),
            value: f.value.slice(0, 1024) || '—',
            ...(f.inline ? { inline: true } : {}),
          })),
        }
      : {}),
    ...(e.footer ? { footer: { text: e.footer.slice(0, 2048) } } : {}),
  };
}

function messageBody(post: OutgoingPost, editing: boolean) {
  return {
    // An edit sends every field, so a preview's text or embed is fully replaced.
    ...(post.text !== undefined || editing ? { content: post.text ?? '' } : {}),
    ...(post.embed ? { embeds: [toApiEmbed(post.embed)] } : editing ? { embeds: [] } : {}),
    allowed_mentions: NO_MENTIONS,
  };
}

export function createDiscordPlatform(deps: DiscordPlatformDeps): DiscordPlatform {
  const { rest, webhooks, signal } = deps;
  let onCommand: ((c: IncomingCommand) => Promise<void>) | null = null;
  let onHuman: ((m: IncomingHumanMessage) => Promise<void>) | null = null;

  /** Runs a webhook call; on 10015 the webhook is forgotten and recreated, once. */
  async function withHook<T>(channelId: string, call: (hook: ChannelHook) => Promise<T>): Promise<T> {
    const hook = await webhooks.ensure(channelId);
    try {
      return await call(hook);
    } catch (error) {
      if (discordCode(error) !== DiscordCode.UnknownWebhook) throw error;
      deps.log.warn('channel webhook is gone, recreating it', { channel: channelId });
      await webhooks.invalidate(channelId, hook.id);
      return call(await webhooks.ensure(channelId));
    }
  }

  const threadQuery = (thread: ThreadRef) => new URLSearchParams({ thread_id: thread.threadId });

  async function post(thread: ThreadRef, p: OutgoingPost): Promise<string> {
    if (p.identity) {
      const identity = p.identity;
      const body = {
        ...messageBody(p, false),
        username: safeWebhookUsername(identity.username),
        avatar_url: identity.avatarUrl,
      };
      const query = threadQuery(thread);
      query.set('wait', 'true');
      const sent = (await withHook(thread.channelId, (hook) =>
        rest.post(Routes.webhook(hook.id, hook.token), { body, query, auth: false, signal }),
      )) as APIMessage;
      return sent.id;
    }
    const sent = (await rest.post(Routes.channelMessages(thread.threadId), {
      body: messageBody(p, false),
      signal,
    })) as APIMessage;
    return sent.id;
  }

  async function edit(thread: ThreadRef, postId: string, p: OutgoingPost): Promise<void> {
    if (p.identity) {
      const hook = await webhooks.ensure(thread.channelId);
      try {
        await rest.patch(Routes.webhookMessage(hook.id, hook.token, postId), {
          body: messageBody(p, true),
          query: threadQuery(thread),
          auth: false,
          signal,
        });
      } catch (error) {
        // Posts of a deleted webhook cannot be edited by its successor: treat them as gone.
        if (discordCode(error) === DiscordCode.UnknownWebhook) {
          await webhooks.invalidate(thread.channelId, hook.id);
          throw new DeliveryError('unknown_post', 'the webhook that made this post is gone');
        }
        throw error;
      }
      return;
    }
    await rest.patch(Routes.channelMessage(thread.threadId, postId), { body: messageBody(p, true), signal });
  }

  const wrap =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } catch (error) {
        throw toDeliveryError(error);
      }
    };

  return {
    name: 'discord',
    maxPostLength: 2000,
    permissions: { managersLabel: 'members with Manage Threads' },
    format: {
      threadLink: (t) => `<#${t.threadId}>`,
      userMention: (id) => `<@${id}>`,
    },
    normalizeIdentity: (i) => ({ username: safeWebhookUsername(i.username), avatarUrl: i.avatarUrl }),
    openThread: wrap(async ({ workspaceId, channelId, title }) => {
      // The personas need the channel's webhook: without Manage Webhooks, refuse before opening anything.
      await webhooks.ensure(channelId);
      // The root card goes into the channel and the thread starts from it (so the thread has its id),
      // as a Slack thread hangs off its root message; its buttons act on the thread's debate.
      const card = openingCard(title);
      const root = (await rest.post(Routes.channelMessages(channelId), {
        body: {
          embeds: [toApiEmbed(card)],
          components: cardComponents(card.actions),
          allowed_mentions: NO_MENTIONS,
        },
        signal,
      })) as APIMessage;
      try {
        const thread = (await rest.post(Routes.threads(channelId, root.id), {
          body: {
            name: title.slice(0, 100) || 'Debate',
            auto_archive_duration: ThreadAutoArchiveDuration.OneDay,
          },
          signal,
        })) as { id: string };
        return { workspaceId, channelId, threadId: thread.id };
      } catch (error) {
        // A card with no thread would only confuse: take it back.
        await rest.delete(Routes.channelMessage(channelId, root.id), { signal }).catch(() => {});
        throw error;
      }
    }),
    post: wrap(post),
    edit: wrap(edit),
    deletePost: wrap(async (thread: ThreadRef, postId: string, byIdentity: boolean) => {
      if (byIdentity) {
        const hook = await webhooks.ensure(thread.channelId);
        try {
          await rest.delete(Routes.webhookMessage(hook.id, hook.token, postId), {
            query: threadQuery(thread),
            auth: false,
            signal,
          });
          return;
        } catch (error) {
          const code = discordCode(error);
          if (code !== DiscordCode.UnknownWebhook && code !== DiscordCode.UnknownMessage) throw error;
          // A post of a webhook that is gone: only the bot itself (with Manage Messages) can remove it.
        }
      }
      await rest.delete(Routes.channelMessage(thread.threadId, postId), { signal });
    }),
    recentOwnPosts: wrap(async (thread: ThreadRef, limit: number): Promise<OwnPost[]> => {
      const hook = await webhooks.known(thread.channelId);
      const botId = deps.botUserId();
      const messages = (await rest.get(Routes.channelMessages(thread.threadId), {
        query: new URLSearchParams({ limit: String(Math.min(100, limit)) }),
        signal,
      })) as APIMessage[];
      return messages
        .filter((m) =>
          m.webhook_id
            ? hook !== null && m.webhook_id === hook.id
            : m.author.id === botId && m.type === MessageType.Default,
        )
        .map((m) => ({
          id: m.id,
          username: m.webhook_id ? m.author.username : null,
          text: m.content,
          embedTitle: m.embeds[0]?.title ?? null,
        }))
        .reverse();
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
