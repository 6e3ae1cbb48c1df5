import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../app/cli.ts';
import { COMMAND_GROUPS } from '../../app/command-groups.ts';
import { REPO_ROOT } from '../helpers/cli.ts';
import { copyMigratedPgliteDir } from '../helpers/db.ts';

/** Runs a scenario and lists the modules it loaded. */
const FIXTURE = path.join(REPO_ROOT, 'test/fixtures/app/loaded-modules.ts');

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
    const run = spawnSync(process.execPath, ['--import', 'tsx', FIXTURE, 'help'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
    });
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

describe('arena start without chat platforms', () => {
  it('never loads discord.js or @slack/bolt', { timeout: 180_000 }, async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'arena-start-imports-'));
    try {
      // A copy of the run's migrated database: no initdb (a child process) and no migration to apply,
      // seconds of CPU on a busy machine. The start still loads the migrations and finds nothing to
      // do; creating the database on a first start is test/app/cli.test.ts's.
      await copyMigratedPgliteDir(path.join(dataDir, 'pglite'));
      const run = spawnSync(process.execPath, ['--import', 'tsx', FIXTURE, 'start', dataDir], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        // No DISCORD_* / SLACK_* settings: both platforms are off.
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
      });
      expect(run.status, run.stderr).toBe(0);
      const [, modules] = run.stdout.split('\n--- modules (health 200)\n');
      const loaded = (modules ?? '').split('\n').filter(Boolean);
      // The arena really started: the dashboard and the platforms module were loaded.
      expect(loaded.some((u) => u.endsWith('/app/platforms.ts'))).toBe(true);
      expect(loaded.some((u) => u.endsWith('/bot/slack/http-receiver.ts'))).toBe(true);
      for (const chat of ['discord.js', '@discordjs', '@slack/bolt', '@slack/web-api', '@slack/socket-mode'])
        expect(loaded.filter((u) => u.includes(`/node_modules/${chat}/`))).toEqual([]);
      expect(loaded.filter((u) => /\/bot\/(discord|slack\/app)/.test(u))).toEqual([]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
