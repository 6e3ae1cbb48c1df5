import type { Command } from 'commander';
import { type RegisterCommandsOptions, registerArenaCommands } from '../../bot/discord/register.ts';
import type { Config } from '../config.ts';
import { RuntimeFailure, UsageError } from '../errors.ts';

export interface DiscordCommandDeps {
  config: () => Config;
  /** Where output goes; defaults to stdout. */
  write?: (text: string) => void;
  /** The registration call; tests may point it elsewhere. */
  register?: (o: RegisterCommandsOptions) => Promise<{ scope: 'guild' | 'global'; commandIds: string[] }>;
}

/** Adds `arena discord register [--guild ID]` to the program. */
export function registerDiscordCommands(program: Command, deps: DiscordCommandDeps): Command {
  const write = deps.write ?? ((text: string) => process.stdout.write(text));
  const register = deps.register ?? registerArenaCommands;
  const discord = program.command('discord').description('Discord tools');
  discord
    .command('register')
    .description(
      'register the /arena slash command (in one guild: instant; globally: may take up to an hour)',
    )
    .option('--guild <id>', 'guild (server) id to register in')
    .action(async (opts: { guild?: string }) => {
      const config = deps.config();
      if (!config.DISCORD_TOKEN) throw new UsageError('DISCORD_TOKEN: required to register commands');
      if (!config.DISCORD_APPLICATION_ID)
        throw new UsageError('DISCORD_APPLICATION_ID: required to register commands');
      if (opts.guild !== undefined && !/^\d{17,20}$/.test(opts.guild)) {
        throw new UsageError(
          `--guild: expected a Discord guild id (17-20 digits), got "${opts.guild.slice(0, 40)}"`,
        );
      }
      try {
        const result = await register({
          token: config.DISCORD_TOKEN,
          applicationId: config.DISCORD_APPLICATION_ID,
          ...(config.DISCORD_API_URL ? { apiUrl: config.DISCORD_API_URL } : {}),
          ...(opts.guild ? { guildId: opts.guild } : {}),
        });
        write(
          result.scope === 'guild'
            ? `registered /arena in guild ${opts.guild} (available now)\n`
            : 'registered /arena globally (Discord may take up to an hour to show it everywhere)\n',
        );
      } catch (error) {
        // The REST error names the route, never the token.
        throw new RuntimeFailure(
          `could not register commands: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    });
  return discord;
}
