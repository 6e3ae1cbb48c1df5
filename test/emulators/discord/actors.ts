import { type EmulatorContext, Intent } from './context.ts';
import { createMessage } from './messages.ts';
import { channelJson, memberJson, roleJson } from './serialize.ts';
import type { EmuChannel, EmuRole, EmuUser, SendUserMessageInput, StoredMessage } from './types.ts';
import { addTextChannel, addUser, resolveUser } from './world.ts';

/** What people and admins do in the emulated guild, each with the gateway event Discord would send. */
export function createActors(ctx: EmulatorContext) {
  const { world } = ctx;
  const guildId = world.guild.id;
  return {
    createUser(props: { username: string; globalName?: string; roles?: string[]; bot?: boolean }): EmuUser {
      const user = addUser(
        world,
        {
          id: ctx.nextId(),
          username: props.username,
          globalName: props.globalName ?? null,
          bot: props.bot ?? false,
        },
        props.roles ?? [],
        ctx.now,
      );
      const member = world.members.get(user.id);
      if (member) {
        ctx.gateway.dispatch(
          'GUILD_MEMBER_ADD',
          { ...memberJson(world, member), guild_id: guildId },
          { intent: Intent.GuildMembers },
        );
      }
      ctx.records.changed();
      return user;
    },

    createChannel(props: { name: string; topic?: string }): EmuChannel {
      const channel = addTextChannel(world, {
        id: ctx.nextId(),
        name: props.name,
        topic: props.topic,
        now: ctx.now,
      });
      ctx.gateway.dispatch('CHANNEL_CREATE', channelJson(world, channel), { intent: Intent.Guilds });
      ctx.records.changed();
      return channel;
    },

    createRole(props: { name: string; permissions: bigint }): EmuRole {
      const role: EmuRole = {
        id: ctx.nextId(),
        name: props.name,
        permissions: props.permissions,
        position: world.roles.size,
      };
      world.roles.set(role.id, role);
      ctx.gateway.dispatch(
        'GUILD_ROLE_CREATE',
        { guild_id: guildId, role: roleJson(world, role) },
        { intent: Intent.Guilds },
      );
      return role;
    },

    setRolePermissions(roleId: string, permissions: bigint): void {
      const role = world.roles.get(roleId);
      if (!role) throw new Error(`discord emulator: unknown role ${roleId}`);
      role.permissions = permissions;
      ctx.gateway.dispatch(
        'GUILD_ROLE_UPDATE',
        { guild_id: guildId, role: roleJson(world, role) },
        { intent: Intent.Guilds },
      );
    },

    setMemberRoles(user: EmuUser | string, roleIds: string[]): void {
      const member = world.members.get(resolveUser(world, user).id);
      if (!member) throw new Error('discord emulator: not a member');
      member.roles = [...roleIds];
      ctx.gateway.dispatch(
        'GUILD_MEMBER_UPDATE',
        { ...memberJson(world, member), guild_id: guildId },
        { intent: Intent.GuildMembers },
      );
    },

    sendUserMessage(input: SendUserMessageInput): StoredMessage {
      const author = resolveUser(world, input.user);
      if (!world.channels.has(input.channelId))
        throw new Error(`discord emulator: unknown channel ${input.channelId}`);
      let messageReference: StoredMessage['messageReference'] = null;
      if (input.replyTo) {
        const target = world.messages.get(input.replyTo);
        if (!target) throw new Error(`discord emulator: unknown message ${input.replyTo}`);
        messageReference = { messageId: target.id, channelId: target.channelId };
      }
      return createMessage(ctx, {
        channelId: input.channelId,
        author,
        content: input.content,
        messageReference,
        mentionIds: input.mentions,
      });
    },

    /** Archives a thread as Discord's inactivity timer would (`locked` also refuses new posts). */
    archiveThread(threadId: string, opts: { locked?: boolean } = {}): void {
      const thread = world.channels.get(threadId);
      if (!thread || thread.type === 0) throw new Error(`discord emulator: ${threadId} is not a thread`);
      thread.archived = true;
      thread.locked = opts.locked ?? false;
      ctx.gateway.dispatch('THREAD_UPDATE', channelJson(world, thread), { intent: Intent.Guilds });
      ctx.records.changed();
    },

    /** Deletes a webhook as a server admin would (the bot then gets 10015 on it). */
    deleteWebhook(webhookId: string): boolean {
      const wh = world.webhooks.get(webhookId);
      if (!wh) return false;
      world.webhooks.delete(webhookId);
      ctx.gateway.dispatch(
        'WEBHOOKS_UPDATE',
        { guild_id: guildId, channel_id: wh.channelId },
        { intent: Intent.GuildWebhooks },
      );
      ctx.records.changed();
      return true;
    },
  };
}
