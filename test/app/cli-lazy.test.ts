import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../app/cli.ts';
import { COMMAND_GROUPS } from '../../app/command-groups.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

describe('arena --help loads nothing it does not show', () => {
  it('lists every command exactly as the loaded modules register it', async () => {
    const lazy = await buildProgram([]);
    const loaded = await buildProgram([], { loadAll: true });
    expect(lazy.helpInformation()).toBe(loaded.helpInformation());
    const names = loaded.commands.map((c) => c.name());
    expect(names).toEqual(COMMAND_GROUPS.flatMap((g) => Object.keys(g.help)));
  });

  it('loads only the invoked group', async () => {
    const program = await buildProgram(['debates', 'list']);
    const debates = program.commands.find((c) => c.name() === 'debates');
    expect(debates?.commands.map((c) => c.name())).toContain('list');
    // Other groups are listed but not loaded: no subcommands behind them.
    expect(program.commands.find((c) => c.name() === 'db')?.commands).toHaveLength(0);
  });

  it('imports no database, engine, validation or chat library to print help', () => {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(REPO_ROOT, 'test/fixtures/app/help-imports.ts')],
      {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
      },
    );
    expect(run.status, run.stderr).toBe(0);
    const [help, modules] = run.stdout.split('\n--- modules (exit 0)\n');
    expect(help).toContain('Usage: arena');
    const loaded = (modules ?? '').split('\n').filter(Boolean);
    expect(loaded.some((u) => u.includes('/node_modules/commander/'))).toBe(true);
    for (const heavy of ['kysely', 'zod', '@electric-sql', 'pg', 'discord.js', '@slack', 'ollama', 'hono'])
      expect(loaded.filter((u) => u.includes(`/node_modules/${heavy}/`))).toEqual([]);
    expect(loaded.filter((u) => /\/(engine|db|bot|dashboard|personas)\//.test(u))).toEqual([]);
  });
});
