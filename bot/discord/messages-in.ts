import type { Message } from 'discord.js';
import type { IncomingHumanMessage } from '../platform.ts';

/** A person's message in a guild thread, or null for anything the bot must ignore. */
export function toHumanMessage(m: Message): IncomingHumanMessage | null {
  // Own posts, persona posts (webhooks), other bots and system notices never join a debate.
  if (m.author.bot || m.webhookId || m.system || !m.guildId) return null;
  // A cached channel that is not a thread cannot hold a debate; skip the database lookup.
  if (m.channel && !m.channel.isThread()) return null;
  return {
    workspaceId: m.guildId,
    threadId: m.channelId,
    messageId: m.id,
    author: {
      id: m.author.id,
      displayName: m.member?.displayName ?? m.author.globalName ?? m.author.username,
    },
    text: m.content,
    replyToPostId: m.reference?.messageId ?? null,
  };
}
