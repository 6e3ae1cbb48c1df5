import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDiscordCommands } from '../../app/commands/discord.ts';
import { loadConfig } from '../../app/config.ts';
import { UsageError } from '../../app/errors.ts';
import { type DiscordEmulator, startDiscordEmulator } from '../emulators/discord/index.ts';

describe('arena discord register', () => {
  let emu: DiscordEmulator;
  beforeAll(async () => {
    emu = await startDiscordEmulator();
  });
  afterAll(() => emu.close());

  function program(env: Record<string, string>) {
    const out: string[] = [];
    const p = new Command('arena').exitOverride();
    registerDiscordCommands(p, { config: () => loadConfig(env), write: (s) => out.push(s) });
    return { p, out };
  }

  const env = () => ({
    DISCORD_TOKEN: emu.token,
    DISCORD_APPLICATION_ID: emu.seed.applicationId,
    DISCORD_API_URL: emu.apiUrl,
  });

  it('registers /arena in one guild, with every subcommand and valid options', async () => {
    const { p, out } = program(env());
    await p.parseAsync(['discord', 'register', '--guild', emu.seed.guildId], { from: 'user' });
    expect(out.join('')).toMatch(/registered \/arena in guild \d+ \(available now\)/);
    const [arena] = emu.commands(emu.seed.guildId);
    expect(arena!.name).toBe('arena');
    const subs = (
      arena!.options as Array<{ name: string; options?: Array<{ name: string; autocomplete?: boolean }> }>
    ).map((o) => o.name);
    expect(subs).toEqual([
      'start',
      'stop',
      'pause',
      'resume',
      'status',
      'budget',
      'ideas',
      'export',
      'personas',
      'summon',
    ]);
    const summon = (
      arena!.options as Array<{ name: string; options?: Array<{ name: string; autocomplete?: boolean }> }>
    ).find((o) => o.name === 'summon')!;
    expect(summon.options![0]).toMatchObject({ name: 'persona', autocomplete: true });
    expect(emu.violations).toEqual([]);
  });

  it('registers globally without --guild, and says so', async () => {
    const { p, out } = program(env());
    await p.parseAsync(['discord', 'register'], { from: 'user' });
    expect(out.join('')).toMatch(/registered \/arena globally/);
    expect(emu.commands().map((c) => c.name)).toEqual(['arena']);
  });

  it('refuses without a token or with a malformed guild id', async () => {
    await expect(program({}).p.parseAsync(['discord', 'register'], { from: 'user' })).rejects.toThrow(
      UsageError,
    );
    await expect(
      program(env()).p.parseAsync(['discord', 'register', '--guild', 'abc'], { from: 'user' }),
    ).rejects.toThrow(/--guild/);
  });
});
