import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../db/connect.ts';
import { cleanEnv, runArena } from '../helpers/cli.ts';
import { createAppDatabase, type TestDatabase } from '../helpers/db.ts';

// A TCP listener standing in for Ollama: it only counts who knocks.
async function knockCounter(): Promise<{ port: number; knocks: () => number; close(): Promise<void> }> {
  let knocks = 0;
  const server: Server = createServer((socket) => {
    knocks++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { port, knocks: () => knocks, close: () => new Promise((r) => server.close(() => r())) };
}

async function closedPort(): Promise<number> {
  const k = await knockCounter();
  await k.close();
  return k.port;
}

// One database for the file: Postgres when CI has it (a new embedded one takes long to create).
describe('one-off CLI commands', { timeout: 300_000 }, () => {
  let cwd: string;
  let pg: TestDatabase | undefined;
  let env: Record<string, string>;
  let ollama: Awaited<ReturnType<typeof knockCounter>>;
  beforeAll(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'arena-oneoff-'));
    ollama = await knockCounter();
    // A migrated database (`arena migrate` itself is test/app/cli.test.ts's).
    pg = await createAppDatabase(path.join(cwd, 'data'));
    // LLM_PROVIDER unset: `auto` would probe OLLAMA_HOST if a command selected a provider.
    env = cleanEnv({
      OLLAMA_HOST: `http://127.0.0.1:${ollama.port}`,
      ...(pg?.url ? { DATABASE_URL: pg.url } : { DATA_DIR: path.join(cwd, 'data') }),
    });
  }, 240_000);
  afterAll(async () => {
    await ollama.close();
    await pg?.dispose();
    await rm(cwd, { recursive: true, force: true });
  });

  it('reads without asking the model anything', async () => {
    for (const args of [
      ['debates', 'list'],
      ['ideas'],
      ['trends'],
      ['signals', 'list'],
      ['signals', 'feeds'],
      ['jobs', 'list'],
    ]) {
      const r = await runArena(args, { cwd, env });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    expect(ollama.knocks()).toBe(0);
  });

  it('says bad options in plain words, naming the option, with exit 2', async () => {
    for (const args of [
      ['trends', '--limit', '0'],
      ['trends', '--period', '1y'],
      ['ideas', '--status', 'done'],
      ['ideas', '--limit', 'lots'],
      ['signals', 'list', '--limit', '9999'],
      ['debates', 'list', '--limit', '0'],
      ['debates', 'export', '00000000-0000-4000-8000-000000000000', '--format', 'pdf'],
      ['debate', 'An idea for a test', '--rounds', '99'],
    ]) {
      const r = await runArena(args, { cwd, env });
      const what = `${args.join(' ')}: ${r.stderr}`;
      expect(r.code, what).toBe(2);
      expect(r.stderr.trim().split('\n'), what).toHaveLength(1);
      expect(r.stderr, what).toMatch(/^arena: --[a-z]+: /);
      // zod's own wording never reaches a person.
      expect(r.stderr, what).not.toMatch(
        /Too (small|big)|Invalid (option|input)|expected (number|string) to/,
      );
    }
    // An idea that is too short is a usage error too, in words.
    const short = await runArena(['ideas', 'add', 'ab'], { cwd, env });
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/^arena: not added: an idea needs 3 to 500 characters\n$/);
  });

  it('refuses --provider openai without OPENAI_BASE_URL as a usage error, before opening anything', async () => {
    const fresh = await mkdtemp(path.join(tmpdir(), 'arena-openai-'));
    try {
      const r = await runArena(['debate', 'An idea for a test', '--provider', 'openai'], {
        cwd: fresh,
        env: cleanEnv({ DATA_DIR: path.join(fresh, 'data') }),
      });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('OPENAI_BASE_URL');
      // Said before a database was created (a first start spends many seconds on that).
      expect(await readdir(fresh)).toEqual([]);
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  });

  it('writes its warnings and its failure to system_logs before it exits', async () => {
    const feed = `http://127.0.0.1:${await closedPort()}/feed.xml`;
    const fetched = await runArena(['signals', 'fetch', '--feed', feed], { cwd, env });
    expect(fetched.code).toBe(1);
    // A job that fails (its feeds file is broken): the failure is the command's, kept as an error row.
    const feedsFile = path.join(cwd, 'feeds.yaml');
    await writeFile(feedsFile, 'feeds: not a list\n');
    const job = await runArena(['jobs', 'run', 'signals.fetch'], {
      cwd,
      env: { ...env, FEEDS_FILE: feedsFile },
    });
    expect(job.code, job.stderr).toBe(1);
    const handle = await connectDatabase(
      pg?.url ? { databaseUrl: pg.url } : { pgliteDataDir: path.join(cwd, 'data', 'pglite') },
    );
    try {
      const rows = await handle.db
        .selectFrom('system_logs')
        .select(['level', 'source', 'message'])
        .where('source', 'like', 'cli%')
        .orderBy('created_at')
        .execute();
      expect(
        rows.some((r) => r.level === 'warn' && r.message.includes(`failed`) && r.source.startsWith('cli')),
        JSON.stringify(rows),
      ).toBe(true);
      expect(
        rows.some((r) => r.level === 'error' && r.message.startsWith('arena jobs run signals.fetch failed')),
      ).toBe(true);
    } finally {
      await handle.close();
    }
  });

  it('fails `arena debate` at once when Ollama is down: what to do, no debate left, no promise', async () => {
    const before = JSON.parse(
      (await runArena(['debates', 'list', '--json'], { cwd, env })).stdout,
    ) as unknown[];
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const r = await runArena(['debate', 'A bike repair app'], {
      cwd,
      env: { ...env, LLM_PROVIDER: 'ollama', OLLAMA_HOST: dead },
    });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('ollama serve');
    expect(r.stderr).toContain('--provider offline');
    expect(r.stderr).not.toMatch(/resume/);
    // Nothing of a debate was printed or created.
    expect(r.stdout).toBe('');
    const after = JSON.parse(
      (await runArena(['debates', 'list', '--json'], { cwd, env })).stdout,
    ) as unknown[];
    expect(after).toHaveLength(before.length);
  });

  it('debates in the locale’s language when --lang is not given, like `arena personas show`', async () => {
    const r = await runArena(
      ['debate', 'A night market map', '--provider', 'offline', '--rounds', '1', '--json'],
      {
        cwd,
        env: { ...env, LANG: 'ko_KR.UTF-8' },
      },
    );
    expect(r.code, r.stderr).toBe(0);
    const created = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; lang?: string })
      .find((e) => e.type === 'debate.created');
    expect(created?.lang).toBe('ko');
  });
});
