import type { EmuMember, EmuRole } from './types.ts';

/** Discord permission bits the emulator's seed world and checks use. */
export const Perm = {
  CreateInstantInvite: 1n << 0n,
  Administrator: 1n << 3n,
  ManageChannels: 1n << 4n,
  AddReactions: 1n << 6n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  ManageMessages: 1n << 13n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  MentionEveryone: 1n << 17n,
  UseExternalEmojis: 1n << 18n,
  ManageWebhooks: 1n << 29n,
  UseApplicationCommands: 1n << 31n,
  ManageThreads: 1n << 34n,
  CreatePublicThreads: 1n << 35n,
  CreatePrivateThreads: 1n << 36n,
  SendMessagesInThreads: 1n << 38n,
} as const;

const ALL = (1n << 51n) - 1n;

/** Guild-level permissions of a member: the union of @everyone and the member's roles. */
export function memberPermissions(props: {
  member: EmuMember;
  roles: Map<string, EmuRole>;
  everyoneRoleId: string;
  ownerId: string;
}): bigint {
  if (props.member.userId === props.ownerId) return ALL;
  let perms = props.roles.get(props.everyoneRoleId)?.permissions ?? 0n;
  for (const id of props.member.roles) perms |= props.roles.get(id)?.permissions ?? 0n;
  return perms & Perm.Administrator ? ALL : perms;
}

/** Converts discord.js' decimal-string permission fields to numbers so the spec's integer types hold. */
export function coercePermissionStrings(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(coercePermissionStrings);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const isPermField =
      key === 'default_member_permissions' || key === 'permissions' || key === 'allow' || key === 'deny';
    out[key] =
      isPermField && typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : coercePermissionStrings(v);
  }
  return out;
}
