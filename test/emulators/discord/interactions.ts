import type { EmulatorContext } from './context.ts';
import { channelJson, memberJson, messageJson, permissionsOf, userJson } from './serialize.ts';
import { randomToken } from './snowflake.ts';
import type { ClickButtonInput, InteractionRecord, InvokeCommandInput, OptionValue } from './types.ts';
import { resolveUser, type StoredCommand } from './world.ts';

type OptionDef = { type: number; name: string; options?: OptionDef[] };

const OptionType = {
  Subcommand: 1,
  Group: 2,
  String: 3,
  Integer: 4,
  Boolean: 5,
  User: 6,
  Channel: 7,
  Number: 10,
};

function findCommand(ctx: EmulatorContext, name: string): StoredCommand | undefined {
  const guild = ctx.world.guildCommands.get(ctx.world.guild.id) ?? [];
  const isChatInput = (c: StoredCommand) => c.name === name && (c.type ?? 1) === 1;
  return guild.find(isChatInput) ?? ctx.world.globalCommands.find(isChatInput);
}

// Registered option types win; unregistered commands get types inferred from the JS values.
function leafDefs(command: StoredCommand | undefined, group?: string, sub?: string): OptionDef[] | undefined {
  let defs = command?.options as OptionDef[] | undefined;
  if (group) defs = defs?.find((o) => o.name === group && o.type === OptionType.Group)?.options;
  if (sub) defs = defs?.find((o) => o.name === sub && o.type === OptionType.Subcommand)?.options;
  return defs;
}

function inferType(v: OptionValue): number {
  if (typeof v === 'boolean') return OptionType.Boolean;
  if (typeof v === 'number') return Number.isInteger(v) ? OptionType.Integer : OptionType.Number;
  return OptionType.String;
}

/** Builds, stores and dispatches an INTERACTION_CREATE (2 = command, 4 = autocomplete) and arms the deadline. */
export function dispatchInteraction(
  ctx: EmulatorContext,
  input: InvokeCommandInput,
  type: 2 | 4,
  focused?: string,
): InteractionRecord {
  const { world } = ctx;
  const user = resolveUser(world, input.user);
  const channel = world.channels.get(input.channelId);
  if (!channel) throw new Error(`discord emulator: unknown channel ${input.channelId}`);
  const member = world.members.get(user.id);
  if (!member) throw new Error(`discord emulator: ${user.username} is not a guild member`);
  const name = input.name ?? 'arena';
  const command = findCommand(ctx, name);
  const defs = leafDefs(command, input.subcommandGroup, input.subcommand);
  const resolved: {
    users: Record<string, unknown>;
    members: Record<string, unknown>;
    channels: Record<string, unknown>;
  } = { users: {}, members: {}, channels: {} };

  const leaves = Object.entries(input.options ?? {}).map(([key, raw]) => {
    const optType = defs?.find((d) => d.name === key)?.type ?? inferType(raw);
    const isFocused = type === 4 && key === focused;
    let value: OptionValue = raw;
    if (isFocused) value = String(raw);
    else if (optType === OptionType.Integer || optType === OptionType.Number) value = Number(raw);
    else if (optType === OptionType.Boolean) value = Boolean(raw);
    else value = String(raw);
    if (optType === OptionType.User) {
      const u = world.users.get(String(raw));
      const m = world.members.get(String(raw));
      if (u) resolved.users[u.id] = userJson(u);
      if (m) resolved.members[m.userId] = memberJson(world, m, { withUser: false, withPermissions: true });
    }
    if (optType === OptionType.Channel) {
      const c = world.channels.get(String(raw));
      if (c)
        resolved.channels[c.id] = {
          ...channelJson(world, c),
          permissions: permissionsOf(world, user.id).toString(),
        };
    }
    return { type: optType, name: key, value, ...(isFocused ? { focused: true } : {}) };
  });
  let options: unknown[] = leaves;
  if (input.subcommand) options = [{ type: OptionType.Subcommand, name: input.subcommand, options }];
  if (input.subcommandGroup) options = [{ type: OptionType.Group, name: input.subcommandGroup, options }];
  const hasResolved = Object.values(resolved).some((r) => Object.keys(r).length > 0);

  const id = ctx.nextId();
  const token = randomToken(160);
  const record: InteractionRecord = {
    id,
    token,
    type,
    userId: user.id,
    channelId: channel.id,
    commandName: name,
    subcommand: input.subcommand ?? null,
    messageId: null,
    customId: null,
    dispatchedAt: ctx.now(),
    acknowledgedAt: null,
    deadlineMissed: false,
    ephemeral: false,
    originalMessageId: null,
    followupIds: [],
    responses: [],
  };
  world.interactions.set(id, record);
  const locale = input.locale ?? 'en-US';
  ctx.gateway.dispatch('INTERACTION_CREATE', {
    id,
    application_id: world.applicationId,
    type,
    token,
    version: 1,
    data: {
      id: command?.id ?? ctx.nextId(),
      name,
      type: 1,
      options,
      ...(command?.guild_id ? { guild_id: command.guild_id } : {}),
      ...(hasResolved ? { resolved } : {}),
    },
    guild_id: world.guild.id,
    guild: { id: world.guild.id, locale: 'en-US', features: [] },
    channel_id: channel.id,
    channel: { ...channelJson(world, channel), permissions: permissionsOf(world, user.id).toString() },
    member: memberJson(world, member, { withPermissions: true }),
    app_permissions: permissionsOf(world, world.botUser.id).toString(),
    locale,
    guild_locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': world.guild.id },
    context: 0,
    attachment_size_limit: 10 * 1024 * 1024,
  });

  armDeadline(ctx, record, `/${name} ${input.subcommand ?? ''}`);
  ctx.records.changed();
  return record;
}

function armDeadline(ctx: EmulatorContext, record: InteractionRecord, label: string): void {
  const { id } = record;
  const timer = setTimeout(() => {
    ctx.timers.delete(timer);
    // A callback that arrived in time but is still being parsed is not late.
    const arrived = ctx.records.requests.some(
      (r) =>
        r.path.startsWith(`/interactions/${id}/`) &&
        r.time - record.dispatchedAt <= ctx.interactionDeadlineMs,
    );
    if (record.acknowledgedAt === null && !record.deadlineMissed && !arrived) {
      record.deadlineMissed = true;
      ctx.records.violation({
        kind: 'deadline',
        message: `interaction ${id} (${label}) got no response within ${ctx.interactionDeadlineMs} ms`,
      });
    }
  }, ctx.interactionDeadlineMs);
  timer.unref();
  ctx.timers.add(timer);
}

/** A button press on a message: INTERACTION_CREATE type 3 carrying the message, with the same deadline. */
export function dispatchComponent(ctx: EmulatorContext, input: ClickButtonInput): InteractionRecord {
  const { world } = ctx;
  const user = resolveUser(world, input.user);
  const msg = world.messages.get(input.messageId);
  if (!msg || msg.deleted) throw new Error(`discord emulator: unknown message ${input.messageId}`);
  const buttons = msg.components.flatMap(
    (row) => ((row as { components?: unknown[] }).components ?? []) as Array<{ custom_id?: string }>,
  );
  if (!buttons.some((b) => b.custom_id === input.customId)) {
    throw new Error(`discord emulator: message ${msg.id} has no button ${input.customId}`);
  }
  const channel = world.channels.get(msg.channelId);
  if (!channel) throw new Error(`discord emulator: unknown channel ${msg.channelId}`);
  const member = world.members.get(user.id);
  if (!member) throw new Error(`discord emulator: ${user.username} is not a guild member`);
  const id = ctx.nextId();
  const token = randomToken(160);
  const record: InteractionRecord = {
    id,
    token,
    type: 3,
    userId: user.id,
    channelId: channel.id,
    commandName: '',
    subcommand: null,
    messageId: msg.id,
    customId: input.customId,
    dispatchedAt: ctx.now(),
    acknowledgedAt: null,
    deadlineMissed: false,
    ephemeral: false,
    originalMessageId: null,
    followupIds: [],
    responses: [],
  };
  world.interactions.set(id, record);
  ctx.gateway.dispatch('INTERACTION_CREATE', {
    id,
    application_id: world.applicationId,
    type: 3,
    token,
    version: 1,
    data: { custom_id: input.customId, component_type: 2 },
    message: messageJson(world, msg),
    guild_id: world.guild.id,
    guild: { id: world.guild.id, locale: 'en-US', features: [] },
    channel_id: channel.id,
    channel: { ...channelJson(world, channel), permissions: permissionsOf(world, user.id).toString() },
    member: memberJson(world, member, { withPermissions: true }),
    app_permissions: permissionsOf(world, world.botUser.id).toString(),
    locale: 'en-US',
    guild_locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': world.guild.id },
    context: 0,
    attachment_size_limit: 10 * 1024 * 1024,
  });
  armDeadline(ctx, record, `button ${input.customId}`);
  ctx.records.changed();
  return record;
}
