import { type EmulatorContext, Intent } from '../context.ts';
import {
  apiError,
  ErrorCode,
  invalidFormBody,
  missingPermissions,
  unknownChannel,
  unknownMessage,
} from '../discord-errors.ts';
import type { Route } from '../http-server.ts';
import { limitedRequest } from '../limits.ts';
import {
  channelMessages,
  checkMessageBody,
  closedThread,
  createMessage,
  deleteMessage,
  editMessage,
} from '../messages.ts';
import { Perm } from '../permissions.ts';
import { channelJson, messageJson, permissionsOf, threadMemberJson } from '../serialize.ts';
import type { EmuChannel } from '../types.ts';

type Body = Record<string, unknown>;

/** Channels, threads and bot-authored messages. */
export function channelRoutes(ctx: EmulatorContext): Route[] {
  const { world } = ctx;
  const botCan = (perm: bigint) => (permissionsOf(world, world.botUser.id) & perm) !== 0n;
  const isThread = (c: EmuChannel) => c.type === 11 || c.type === 12;
  /** A live message of the route's channel, or undefined (deleted, elsewhere, unknown). */
  const messageIn = (params: Record<string, string | undefined>) => {
    const msg = world.messages.get(params.messageId ?? '');
    return msg && !msg.deleted && msg.channelId === params.channelId ? msg : undefined;
  };
  /** Creates a bot-owned thread under `parent`, announces it on the gateway and answers 201. */
  const openThread = (parent: EmuChannel, id: string, type: 11 | 12, b: Body) => {
    const thread: EmuChannel = {
      id,
      type,
      name: String(b.name),
      parentId: parent.id,
      ownerId: world.botUser.id,
      topic: null,
      autoArchiveDuration: (b.auto_archive_duration as number | undefined) ?? 1440,
      archived: false,
      locked: false,
      createdAt: ctx.now(),
    };
    world.channels.set(thread.id, thread);
    world.channelMessages.set(thread.id, []);
    const member = threadMemberJson(thread.id, world.botUser.id, thread.createdAt);
    ctx.gateway.dispatch(
      'THREAD_CREATE',
      { ...channelJson(world, thread), newly_created: true, member },
      { intent: Intent.Guilds },
    );
    ctx.records.changed();
    return { status: 201, body: { ...channelJson(world, thread), member } };
  };

  return [
    {
      method: 'GET',
      pattern: '/channels/:channelId',
      spec: '/channels/{channel_id}',
      auth: 'bot',
      handle: ({ params }) => {
        const channel = world.channels.get(params.channelId ?? '');
        return channel ? { status: 200, body: channelJson(world, channel) } : unknownChannel();
      },
    },
    {
      method: 'PATCH',
      pattern: '/channels/:channelId',
      spec: '/channels/{channel_id}',
      auth: 'bot',
      handle: ({ params, body }) => {
        const channel = world.channels.get(params.channelId ?? '');
        if (!channel) return unknownChannel();
        const b = (body ?? {}) as Body;
        if (isThread(channel) && !botCan(Perm.ManageThreads) && channel.ownerId !== world.botUser.id) {
          return missingPermissions();
        }
        if (typeof b.name === 'string') channel.name = b.name;
        if (typeof b.archived === 'boolean') channel.archived = b.archived;
        if (typeof b.locked === 'boolean') channel.locked = b.locked;
        if (typeof b.auto_archive_duration === 'number')
          channel.autoArchiveDuration = b.auto_archive_duration;
        if (typeof b.topic === 'string' || b.topic === null)
          channel.topic = (b.topic as string | null) ?? null;
        const json = channelJson(world, channel);
        ctx.gateway.dispatch(isThread(channel) ? 'THREAD_UPDATE' : 'CHANNEL_UPDATE', json, {
          intent: Intent.Guilds,
        });
        ctx.records.changed();
        return { status: 200, body: json };
      },
    },
    {
      method: 'PUT',
      pattern: '/channels/:channelId/messages/:messageId/reactions/:emoji/@me',
      auth: 'bot',
      handle: ({ params }) => {
        const msg = world.messages.get(params.messageId ?? '');
        return msg && msg.channelId === params.channelId ? { status: 204 } : unknownMessage();
      },
    },
    {
      method: 'POST',
      pattern: '/channels/:channelId/threads',
      spec: '/channels/{channel_id}/threads',
      auth: 'bot',
      handle: ({ params, body }) => {
        const parent = world.channels.get(params.channelId ?? '');
        if (!parent) return unknownChannel();
        if (isThread(parent))
          return apiError(400, ErrorCode.WrongChannelType, 'Cannot execute action on this channel type');
        const b = (body ?? {}) as Body;
        // API v10 makes a private thread when no type is given.
        const type = (b.type as 11 | 12 | undefined) ?? 12;
        if (!botCan(type === 11 ? Perm.CreatePublicThreads : Perm.CreatePrivateThreads))
          return missingPermissions();
        return openThread(parent, ctx.nextId(), type, b);
      },
    },
    {
      // A thread started from a message: as on Discord, the thread's id is the message's id.
      method: 'POST',
      pattern: '/channels/:channelId/messages/:messageId/threads',
      spec: '/channels/{channel_id}/messages/{message_id}/threads',
      auth: 'bot',
      handle: ({ params, body }) => {
        const parent = world.channels.get(params.channelId ?? '');
        if (!parent) return unknownChannel();
        if (isThread(parent))
          return apiError(400, ErrorCode.WrongChannelType, 'Cannot execute action on this channel type');
        const msg = world.messages.get(params.messageId ?? '');
        if (!msg || msg.deleted || msg.channelId !== parent.id) return unknownMessage();
        if (world.channels.has(msg.id))
          return apiError(
            400,
            ErrorCode.ThreadAlreadyCreated,
            'A thread has already been created for this message',
          );
        if (!botCan(Perm.CreatePublicThreads)) return missingPermissions();
        const b = (body ?? {}) as Body;
        return openThread(parent, msg.id, 11, b);
      },
    },
    {
      method: 'PUT',
      pattern: '/channels/:channelId/thread-members/@me',
      auth: 'bot',
      handle: ({ params }) =>
        world.channels.has(params.channelId ?? '') ? { status: 204 } : unknownChannel(),
    },
    {
      method: 'POST',
      pattern: '/channels/:channelId/typing',
      auth: 'bot',
      handle: ({ params }) =>
        world.channels.has(params.channelId ?? '') ? { status: 204 } : unknownChannel(),
    },
    {
      method: 'GET',
      pattern: '/channels/:channelId/messages',
      spec: '/channels/{channel_id}/messages',
      auth: 'bot',
      handle: ({ params, query }) => {
        const channelId = params.channelId ?? '';
        if (!world.channels.has(channelId)) return unknownChannel();
        const limit = Math.min(100, Math.max(1, Number(query.get('limit') ?? 50)));
        let list = channelMessages(ctx, channelId);
        const before = query.get('before');
        const after = query.get('after');
        if (before) list = list.filter((m) => BigInt(m.id) < BigInt(before));
        if (after) list = list.filter((m) => BigInt(m.id) > BigInt(after)).slice(0, limit);
        // Discord lists newest first.
        const page = list.slice(-limit).reverse();
        return { status: 200, body: page.map((m) => messageJson(world, m)) };
      },
    },
    {
      method: 'POST',
      pattern: '/channels/:channelId/messages',
      spec: '/channels/{channel_id}/messages',
      auth: 'bot',
      handle: ({ method, path, params, body, files }) => {
        const channel = world.channels.get(params.channelId ?? '');
        if (!channel) return unknownChannel();
        if (!botCan(isThread(channel) ? Perm.SendMessagesInThreads : Perm.SendMessages))
          return missingPermissions();
        const b = (body ?? {}) as Body;
        const invalid = checkMessageBody(b, files) ?? closedThread(ctx, channel.id);
        if (invalid) return invalid;
        const ref = b.message_reference as Body | undefined | null;
        let messageReference: { messageId: string; channelId: string } | null = null;
        if (ref?.message_id) {
          const target = world.messages.get(String(ref.message_id));
          if (!target && ref.fail_if_not_exists !== false) {
            return invalidFormBody([
              { path: ['message_reference'], code: 'REPLIES_UNKNOWN_MESSAGE', message: 'Unknown message' },
            ]);
          }
          if (target) messageReference = { messageId: target.id, channelId: target.channelId };
        }
        return limitedRequest(ctx, {
          method,
          path,
          advertised: {
            key: `channel-messages:${channel.id}`,
            rule: ctx.rateLimits.channel,
            bucket: 'channel-messages',
          },
          run: () => {
            const msg = createMessage(ctx, {
              channelId: channel.id,
              author: world.botUser,
              content: b.content as string | undefined,
              embeds: b.embeds as unknown[] | undefined,
              attachmentsMeta: b.attachments,
              files,
              allowedMentions: b.allowed_mentions,
              messageReference,
              nonce: b.nonce === undefined || b.nonce === null ? null : String(b.nonce),
              flags: typeof b.flags === 'number' ? b.flags : 0,
              components: b.components as unknown[] | undefined,
            });
            return { status: 200, body: messageJson(world, msg) };
          },
        });
      },
    },
    {
      method: 'GET',
      pattern: '/channels/:channelId/messages/:messageId',
      spec: '/channels/{channel_id}/messages/{message_id}',
      auth: 'bot',
      handle: ({ params }) => {
        const msg = messageIn(params);
        if (!msg) return unknownMessage();
        return { status: 200, body: messageJson(world, msg) };
      },
    },
    {
      method: 'PATCH',
      pattern: '/channels/:channelId/messages/:messageId',
      spec: '/channels/{channel_id}/messages/{message_id}',
      auth: 'bot',
      handle: ({ params, body, files }) => {
        const msg = messageIn(params);
        if (!msg) return unknownMessage();
        if (msg.author.id !== world.botUser.id || msg.webhookId) {
          return apiError(
            403,
            ErrorCode.CannotEditOthersMessage,
            'Cannot edit a message authored by another user',
          );
        }
        const b = (body ?? {}) as Body;
        const invalid = checkMessageBody(b, files, { allowEmpty: true });
        if (invalid) return invalid;
        editMessage(ctx, msg, {
          content: b.content,
          embeds: b.embeds,
          attachmentsMeta: b.attachments,
          files,
          components: b.components,
        });
        return { status: 200, body: messageJson(world, msg) };
      },
    },
    {
      method: 'DELETE',
      pattern: '/channels/:channelId/messages/:messageId',
      auth: 'bot',
      handle: ({ params }) => {
        const msg = messageIn(params);
        if (!msg) return unknownMessage();
        deleteMessage(ctx, msg);
        return { status: 204 };
      },
    },
  ];
}
