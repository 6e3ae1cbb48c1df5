import { memberPermissions } from './permissions.ts';
import type { EmuChannel, EmuMember, EmuRole, EmuUser, EmuWebhook, StoredMessage } from './types.ts';
import type { World } from './world.ts';

// Builders of Discord API JSON (v10) from the emulator's world; shapes follow the OpenAPI spec.

const iso = (ms: number) => new Date(ms).toISOString();

export function userJson(user: EmuUser): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    avatar: null,
    discriminator: user.bot ? '0000' : '0',
    public_flags: 0,
    flags: 0,
    global_name: user.globalName,
    primary_guild: null,
    ...(user.bot ? { bot: true } : {}),
  };
}

export function permissionsOf(world: World, userId: string): bigint {
  const member = world.members.get(userId);
  if (!member) return 0n;
  return memberPermissions({
    member,
    roles: world.roles,
    everyoneRoleId: world.everyoneRoleId,
    ownerId: world.guild.ownerId,
  });
}

export function memberJson(
  world: World,
  member: EmuMember,
  opts: { withUser?: boolean; withPermissions?: boolean } = {},
): Record<string, unknown> {
  const user = world.users.get(member.userId);
  return {
    ...(opts.withUser !== false && user ? { user: userJson(user) } : {}),
    roles: member.roles,
    joined_at: member.joinedAt,
    nick: member.nick,
    avatar: null,
    banner: null,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: null,
    ...(opts.withPermissions ? { permissions: permissionsOf(world, member.userId).toString() } : {}),
  };
}

export function roleJson(world: World, role: EmuRole): Record<string, unknown> {
  const isBotRole = world.members.get(world.botUser.id)?.roles.includes(role.id) ?? false;
  return {
    id: role.id,
    name: role.name,
    description: null,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position: role.position,
    permissions: role.permissions.toString(),
    managed: isBotRole,
    mentionable: false,
    flags: 0,
    ...(isBotRole ? { tags: { bot_id: world.botUser.id } } : {}),
  };
}

export function channelJson(world: World, channel: EmuChannel): Record<string, unknown> {
  const ids = world.channelMessages.get(channel.id) ?? [];
  const base = {
    id: channel.id,
    type: channel.type,
    guild_id: world.guild.id,
    name: channel.name,
    flags: 0,
    last_message_id: ids.at(-1) ?? null,
    rate_limit_per_user: 0,
  };
  if (channel.type === 0) {
    return {
      ...base,
      parent_id: null,
      position: 0,
      topic: channel.topic,
      nsfw: false,
      permission_overwrites: [],
      default_auto_archive_duration: 1440,
    };
  }
  return {
    ...base,
    parent_id: channel.parentId,
    owner_id: channel.ownerId,
    message_count: ids.length,
    member_count: 1,
    total_message_sent: ids.length,
    thread_metadata: {
      archived: channel.archived,
      archive_timestamp: iso(channel.createdAt),
      auto_archive_duration: channel.autoArchiveDuration,
      locked: channel.locked,
      create_timestamp: iso(channel.createdAt),
    },
  };
}

export function threadMemberJson(
  threadId: string,
  userId: string,
  joinedAt: number,
): Record<string, unknown> {
  return { id: threadId, user_id: userId, join_timestamp: iso(joinedAt), flags: 1 };
}

export function attachmentJson(att: StoredMessage['attachments'][number]): Record<string, unknown> {
  return {
    id: att.id,
    filename: att.filename,
    size: att.size,
    url: att.url,
    proxy_url: att.url,
    content_type: att.contentType,
  };
}

/** A message as REST returns it; `gateway` adds guild_id and the author's member as MESSAGE_CREATE does. */
export function messageJson(
  world: World,
  msg: StoredMessage,
  opts: { gateway?: boolean; hideContent?: boolean; depth?: number } = {},
): Record<string, unknown> {
  const author =
    msg.webhookId && msg.webhookId !== world.applicationId ? webhookAuthorJson(msg) : userJson(msg.author);
  const mentions = msg.mentionIds.flatMap((id) => {
    const u = world.users.get(id);
    return u ? [userJson(u)] : [];
  });
  const referenced = msg.messageReference ? world.messages.get(msg.messageReference.messageId) : undefined;
  const out: Record<string, unknown> = {
    id: msg.id,
    type: msg.type,
    channel_id: msg.channelId,
    content: opts.hideContent ? '' : msg.content,
    embeds: opts.hideContent ? [] : msg.embeds,
    attachments: opts.hideContent ? [] : msg.attachments.map(attachmentJson),
    components: opts.hideContent ? [] : msg.components,
    author,
    mentions,
    mention_roles: [],
    mention_everyone: false,
    pinned: false,
    tts: false,
    flags: msg.flags,
    timestamp: iso(msg.createdAt),
    edited_timestamp: msg.editedAt === null ? null : iso(msg.editedAt),
  };
  if (msg.webhookId) out.webhook_id = msg.webhookId;
  if (msg.webhookId === world.applicationId) out.application_id = world.applicationId;
  if (msg.nonce !== null) out.nonce = msg.nonce;
  if (msg.messageReference) {
    out.message_reference = {
      type: 0,
      message_id: msg.messageReference.messageId,
      channel_id: msg.messageReference.channelId,
      guild_id: world.guild.id,
    };
    if ((opts.depth ?? 0) === 0) {
      out.referenced_message = referenced ? messageJson(world, referenced, { depth: 1 }) : null;
    }
  }
  if (msg.interactionId) {
    const interaction = world.interactions.get(msg.interactionId);
    const user = interaction ? world.users.get(interaction.userId) : undefined;
    out.interaction_metadata = {
      id: msg.interactionId,
      type: interaction?.type ?? 2,
      ...(user ? { user: userJson(user) } : {}),
      authorizing_integration_owners: { '0': world.guild.id },
      // A component's reply names the message whose button was pressed (required by the spec).
      ...(interaction?.type === 3 && interaction.messageId
        ? { interacted_message_id: interaction.messageId }
        : {}),
    };
  }
  if (opts.gateway) {
    out.guild_id = world.guild.id;
    const member = world.members.get(msg.author.id);
    if (member && !msg.webhookId) out.member = memberJson(world, member, { withUser: false });
  }
  return out;
}

function webhookAuthorJson(msg: StoredMessage): Record<string, unknown> {
  return {
    id: msg.webhookId,
    username: msg.author.username,
    avatar: null,
    discriminator: '0000',
    public_flags: 0,
    flags: 0,
    global_name: null,
    primary_guild: null,
    bot: true,
  };
}

export function webhookJson(world: World, webhook: EmuWebhook, baseUrl: string): Record<string, unknown> {
  const creator = world.users.get(webhook.creatorId);
  return {
    id: webhook.id,
    type: 1,
    name: webhook.name,
    avatar: null,
    channel_id: webhook.channelId,
    guild_id: world.guild.id,
    application_id: webhook.creatorId === world.botUser.id ? world.applicationId : null,
    token: webhook.token,
    url: `${baseUrl}/api/webhooks/${webhook.id}/${webhook.token}`,
    ...(creator ? { user: userJson(creator) } : {}),
  };
}

/** The GUILD_CREATE payload: the guild with its roles, members, channels and active threads. */
export function guildCreateJson(world: World): Record<string, unknown> {
  const channels = [...world.channels.values()];
  return {
    id: world.guild.id,
    name: world.guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    banner: null,
    description: null,
    owner_id: world.guild.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    nsfw_level: 0,
    premium_tier: 0,
    premium_subscription_count: 0,
    premium_progress_bar_enabled: false,
    preferred_locale: 'en-US',
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    vanity_url_code: null,
    application_id: null,
    max_members: 500000,
    max_video_channel_users: 25,
    features: [],
    emojis: [],
    stickers: [],
    roles: [...world.roles.values()].map((r) => roleJson(world, r)),
    joined_at: world.members.get(world.botUser.id)?.joinedAt,
    large: false,
    unavailable: false,
    member_count: world.members.size,
    members: [...world.members.values()].map((m) => memberJson(world, m)),
    channels: channels.filter((c) => c.type === 0).map((c) => channelJson(world, c)),
    threads: channels.filter((c) => c.type !== 0 && !c.archived).map((c) => channelJson(world, c)),
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}
