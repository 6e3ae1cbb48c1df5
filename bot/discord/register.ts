import { REST, Routes } from 'discord.js';
import { arenaCommandDefinition } from './command-definition.ts';

export interface RegisterCommandsOptions {
  token: string;
  applicationId: string;
  apiUrl?: string;
  /** Register in one guild (instant); without it, globally (Discord may take a while to show it). */
  guildId?: string;
}

/** Overwrites the application's commands with `/arena`; returns where it went and the command id. */
export async function registerArenaCommands(
  o: RegisterCommandsOptions,
): Promise<{ scope: 'guild' | 'global'; commandIds: string[] }> {
  const rest = new REST(o.apiUrl ? { api: o.apiUrl } : {}).setToken(o.token);
  const route = o.guildId
    ? Routes.applicationGuildCommands(o.applicationId, o.guildId)
    : Routes.applicationCommands(o.applicationId);
  const saved = (await rest.put(route, { body: [arenaCommandDefinition()] })) as Array<{ id: string }>;
  return { scope: o.guildId ? 'guild' : 'global', commandIds: saved.map((c) => c.id) };
}
