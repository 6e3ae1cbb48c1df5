import { Perm } from './permissions.ts';
import type {
  EmuChannel,
  EmuMember,
  EmuRole,
  EmuUser,
  EmuWebhook,
  InteractionRecord,
  StoredMessage,
} from './types.ts';

/** An application command as stored after a bulk overwrite (the API response shape). */
export type StoredCommand = Record<string, unknown> & { id: string; name: string };

/** The emulated Discord: one guild, its people, channels, webhooks, messages and commands. */
export interface World {
  guild: { id: string; name: string; ownerId: string };
  applicationId: string;
  botUser: EmuUser;
  everyoneRoleId: string;
  users: Map<string, EmuUser>;
  members: Map<string, EmuMember>;
  roles: Map<string, EmuRole>;
  channels: Map<string, EmuChannel>;
  webhooks: Map<string, EmuWebhook>;
  messages: Map<string, StoredMessage>;
  /** Message ids per channel, in creation order. */
  channelMessages: Map<string, string[]>;
  globalCommands: StoredCommand[];
  guildCommands: Map<string, StoredCommand[]>;
  interactions: Map<string, InteractionRecord>;
}

/** Well-known ids of the seeded world, for tests. */
export interface SeedIds {
  guildId: string;
  applicationId: string;
  botUser: EmuUser;
  owner: EmuUser;
  channels: { ideas: string; general: string };
  roles: { everyone: string; moderator: string; member: string; bot: string };
  /** alice: Moderator (Manage Threads); bob: Member (no Manage Threads); carol: no roles. */
  users: { alice: EmuUser; bob: EmuUser; carol: EmuUser };
}

const EVERYONE_PERMS =
  Perm.ViewChannel |
  Perm.SendMessages |
  Perm.SendMessagesInThreads |
  Perm.ReadMessageHistory |
  Perm.UseApplicationCommands |
  Perm.CreatePublicThreads |
  Perm.AddReactions |
  Perm.EmbedLinks |
  Perm.AttachFiles;

const BOT_PERMS =
  EVERYONE_PERMS | Perm.ManageWebhooks | Perm.ManageThreads | Perm.ManageMessages | Perm.UseExternalEmojis;

/** Builds the seeded world: guild, @everyone/Moderator/Member/bot roles, #ideas and #general, three humans. */
export function createWorld(props: { nextId: () => string; now: () => number }): {
  world: World;
  seed: SeedIds;
} {
  const { nextId, now } = props;
  const guildId = nextId();
  const world: World = {
    guild: { id: guildId, name: 'Arena Test Guild', ownerId: '' },
    applicationId: nextId(),
    botUser: { id: '', username: 'Agentic Arena', globalName: null, bot: true },
    everyoneRoleId: guildId,
    users: new Map(),
    members: new Map(),
    roles: new Map(),
    channels: new Map(),
    webhooks: new Map(),
    messages: new Map(),
    channelMessages: new Map(),
    globalCommands: [],
    guildCommands: new Map(),
    interactions: new Map(),
  };
  world.botUser.id = world.applicationId;
  const role = (name: string, permissions: bigint, position: number): EmuRole => {
    const r = { id: position === 0 ? guildId : nextId(), name, permissions, position };
    world.roles.set(r.id, r);
    return r;
  };
  const everyone = role('@everyone', EVERYONE_PERMS, 0);
  const member = role('Member', 0n, 1);
  const moderator = role('Moderator', Perm.ManageThreads | Perm.ManageMessages, 2);
  const bot = role('Agentic Arena', BOT_PERMS, 3);

  addUser(world, world.botUser, [bot.id], now);
  const user = (username: string, globalName: string, roles: string[]) =>
    addUser(world, { id: nextId(), username, globalName, bot: false }, roles, now);
  const owner = user('owner', 'Guild Owner', []);
  world.guild.ownerId = owner.id;
  const alice = user('alice', 'Alice', [moderator.id]);
  const bob = user('bob', 'Bob', [member.id]);
  const carol = user('carol', 'Carol', []);

  const general = addTextChannel(world, { id: nextId(), name: 'general', now });
  const ideas = addTextChannel(world, { id: nextId(), name: 'ideas', now });
  return {
    world,
    seed: {
      guildId,
      applicationId: world.applicationId,
      botUser: world.botUser,
      owner,
      channels: { ideas: ideas.id, general: general.id },
      roles: { everyone: everyone.id, moderator: moderator.id, member: member.id, bot: bot.id },
      users: { alice, bob, carol },
    },
  };
}

/** Adds a user and their guild membership. */
export function addUser(world: World, user: EmuUser, roles: string[], now: () => number): EmuUser {
  world.users.set(user.id, user);
  world.members.set(user.id, { userId: user.id, roles, nick: null, joinedAt: new Date(now()).toISOString() });
  return user;
}

/** Adds a guild text channel. */
export function addTextChannel(
  world: World,
  props: { id: string; name: string; topic?: string; now: () => number },
): EmuChannel {
  const channel: EmuChannel = {
    id: props.id,
    type: 0,
    name: props.name,
    parentId: null,
    ownerId: null,
    topic: props.topic ?? null,
    autoArchiveDuration: 1440,
    archived: false,
    locked: false,
    createdAt: props.now(),
  };
  world.channels.set(channel.id, channel);
  world.channelMessages.set(channel.id, []);
  return channel;
}

/** Threads first-to-last, optionally only those under `parentId`. */
export function listThreads(world: World, parentId?: string): EmuChannel[] {
  return [...world.channels.values()].filter(
    (c) => (c.type === 11 || c.type === 12) && (parentId === undefined || c.parentId === parentId),
  );
}

/** Resolves a user given as object or id, throwing for unknown ids (a test bug). */
export function resolveUser(world: World, user: EmuUser | string): EmuUser {
  const id = typeof user === 'string' ? user : user.id;
  const found = world.users.get(id);
  if (!found) throw new Error(`discord emulator: unknown user ${id}`);
  return found;
}
