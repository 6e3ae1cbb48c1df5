import {
  type AutocompleteInteraction,
  type BaseInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type GuildMember,
  type InteractionEditReplyOptions,
  MessageFlags,
  type MessageMentionOptions,
  PermissionFlagsBits,
} from 'discord.js';
import type { Persona } from '../../personas/types.ts';
import { cardAfter } from '../card.ts';
import { suggestPersonas } from '../commands/personas.ts';
import type { CardAction, CommandReply, IncomingCommand } from '../platform.ts';
import { cardComponents } from './components.ts';
import { toApiEmbed } from './discord-platform.ts';

const NO_MENTIONS: MessageMentionOptions = { parse: [] };

/** Manage Threads in the channel, or the configured role (by id or by name). */
export function canManage(i: BaseInteraction, managerRole?: string): boolean {
  if (i.memberPermissions?.has(PermissionFlagsBits.ManageThreads)) return true;
  if (!managerRole || !i.member) return false;
  const roleIds = Array.isArray(i.member.roles)
    ? i.member.roles
    : [...(i.member as GuildMember).roles.cache.keys()];
  const wanted = managerRole.toLowerCase();
  return roleIds.some(
    (id) => id === managerRole || i.guild?.roles.cache.get(id)?.name.toLowerCase() === wanted,
  );
}

function replyPayload(reply: CommandReply) {
  const embeds = reply.ok && reply.embed ? [toApiEmbed(reply.embed)] : [];
  const files =
    reply.ok && reply.file
      ? [{ attachment: Buffer.from(reply.file.content, 'utf8'), name: reply.file.name }]
      : [];
  return {
    // Discord needs some content when there is neither an embed nor a file.
    content: reply.text.slice(0, 2000) || (embeds.length || files.length ? '' : '…'),
    embeds,
    files,
    allowedMentions: NO_MENTIONS,
  } satisfies InteractionEditReplyOptions;
}

/** A slash command interaction as the neutral command layer sees it. */
export function toIncomingCommand(i: ChatInputCommandInteraction, managerRole?: string): IncomingCommand {
  const sub = i.options.data.find((o) => o.options !== undefined) ?? i.options.data[0];
  const options: Record<string, unknown> = {};
  for (const o of sub?.options ?? []) options[o.name] = o.value;
  const channel = i.channel;
  let deferredEphemeral: boolean | null = null;
  return {
    subcommand: i.options.getSubcommand(false) ?? '',
    options,
    user: {
      id: i.user.id,
      displayName: (i.member as GuildMember | null)?.displayName ?? i.user.globalName ?? i.user.username,
      canManage: canManage(i, managerRole),
    },
    workspaceId: i.guildId ?? '',
    channelId: i.channelId,
    parentChannelId: channel?.isThread() ? channel.parentId : null,
    async defer({ ephemeral }) {
      await i.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
      deferredEphemeral = ephemeral;
    },
    async respond(reply) {
      const payload = replyPayload(reply);
      if (deferredEphemeral === null) {
        await i.reply({ ...payload, ...(reply.ok ? {} : { flags: MessageFlags.Ephemeral as const }) });
      } else if (reply.ok || deferredEphemeral) {
        await i.editReply(payload);
      } else {
        // A refusal after a public acknowledgement: remove the public placeholder, answer privately.
        await i.deleteReply().catch(() => {});
        await i.followUp({
          content: reply.text,
          flags: MessageFlags.Ephemeral,
          allowedMentions: NO_MENTIONS,
        });
      }
    },
  };
}

/**
 * A button on a debate's root card: the same command (and permission rule) as typing it. The thread
 * was started from the card, so it has the card's id. Pause, resume and stop update the card in place;
 * refusals and the export file are shown only to the person who pressed.
 */
export function toButtonCommand(
  i: ButtonInteraction,
  action: CardAction,
  managerRole?: string,
): IncomingCommand {
  let deferred: 'update' | 'reply' | null = null;
  const title = i.message.embeds[0]?.title ?? '🧠 Debate';
  return {
    subcommand: action,
    options: {},
    user: {
      id: i.user.id,
      displayName: (i.member as GuildMember | null)?.displayName ?? i.user.globalName ?? i.user.username,
      canManage: canManage(i, managerRole),
    },
    workspaceId: i.guildId ?? '',
    channelId: i.message.id,
    parentChannelId: i.channelId,
    async defer() {
      if (action === 'export') {
        await i.deferReply({ flags: MessageFlags.Ephemeral });
        deferred = 'reply';
      } else {
        await i.deferUpdate();
        deferred = 'update';
      }
    },
    async respond(reply) {
      if (deferred === null) {
        await i.reply({ ...replyPayload(reply), flags: MessageFlags.Ephemeral });
      } else if (deferred === 'reply') {
        await i.editReply(replyPayload(reply));
      } else if (!reply.ok || action === 'export') {
        await i.followUp({
          content: reply.text,
          flags: MessageFlags.Ephemeral,
          allowedMentions: NO_MENTIONS,
        });
      } else {
        const card = cardAfter(action, title, `<@${i.user.id}>`);
        await i.editReply({ embeds: [toApiEmbed(card)], components: cardComponents(card.actions) });
      }
    },
  };
}

export async function answerAutocomplete(
  i: AutocompleteInteraction,
  personas: readonly Persona[],
): Promise<void> {
  const focused = i.options.getFocused(true);
  await i.respond(focused.name === 'persona' ? suggestPersonas(personas, String(focused.value)) : []);
}
