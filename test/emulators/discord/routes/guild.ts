import type { EmulatorContext } from '../context.ts';
import { apiError } from '../discord-errors.ts';
import type { Route } from '../http-server.ts';
import { channelJson, memberJson, roleJson } from '../serialize.ts';

/** Guild lookups discord.js makes on cache misses: a member, the channel list, the roles. */
export function guildRoutes(ctx: EmulatorContext): Route[] {
  const { world } = ctx;
  const unknownGuild = () => apiError(404, 10004, 'Unknown Guild');
  return [
    {
      method: 'GET',
      pattern: '/guilds/:guildId/members/:userId',
      spec: '/guilds/{guild_id}/members/{user_id}',
      auth: 'bot',
      handle: ({ params }) => {
        if (params.guildId !== world.guild.id) return unknownGuild();
        const member = world.members.get(params.userId ?? '');
        return member
          ? { status: 200, body: memberJson(world, member) }
          : apiError(404, 10007, 'Unknown Member');
      },
    },
    {
      method: 'GET',
      pattern: '/guilds/:guildId/channels',
      spec: '/guilds/{guild_id}/channels',
      auth: 'bot',
      handle: ({ params }) => {
        if (params.guildId !== world.guild.id) return unknownGuild();
        const channels = [...world.channels.values()].filter((c) => c.type === 0);
        return { status: 200, body: channels.map((c) => channelJson(world, c)) };
      },
    },
    {
      method: 'GET',
      pattern: '/guilds/:guildId/roles',
      spec: '/guilds/{guild_id}/roles',
      auth: 'bot',
      handle: ({ params }) => {
        if (params.guildId !== world.guild.id) return unknownGuild();
        return { status: 200, body: [...world.roles.values()].map((r) => roleJson(world, r)) };
      },
    },
  ];
}
