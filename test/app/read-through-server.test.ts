import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARENA_BIN, cleanEnv, runArena, waitForOutput } from '../helpers/cli.ts';
import { copyMigratedPgliteDir } from '../helpers/db.ts';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

// `npm start` holds the embedded database; a read command in another terminal must not answer from
// an empty stand-in database.
describe('read commands while `arena start` holds the embedded database', { timeout: 400_000 }, () => {
  let cwd: string;
  let env: Record<string, string>;
  let server: ReturnType<typeof spawn> | undefined;
  let base = '';
  beforeAll(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'arena-read-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = cleanEnv({ DASHBOARD_PORT: String(port), LLM_PROVIDER: 'offline', LOG_LEVEL: 'info' });
    // ./data/pglite as a previous start left it (creating it is test/app/cli.test.ts's business).
    await copyMigratedPgliteDir(path.join(cwd, 'data', 'pglite'));
    server = spawn(process.execPath, [ARENA_BIN, 'start'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    await waitForOutput(server, /dashboard: http/, 180_000);
  }, 240_000);
  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    await rm(cwd, { recursive: true, force: true });
  }, 60_000);

  it('lists and shows the debates through the running server', async () => {
    const res = await fetch(`${base}/api/debates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ idea: 'A seed library for apartment gardens', rounds: 1 }),
    });
    expect(res.status).toBe(201);
    const { debateId } = (await res.json()) as { debateId: string };
    const list = await runArena(['debates', 'list', '--json'], { cwd, env });
    expect(list.code, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as Array<{ id: string }>).map((d) => d.id)).toContain(debateId);
    expect(list.stderr).toContain('read through the running arena');
    const show = await runArena(['debates', 'show', debateId, '--json'], { cwd, env });
    expect(show.code, show.stderr).toBe(0);
    expect(JSON.parse(show.stdout)).toMatchObject({
      id: debateId,
      title: expect.stringContaining('seed library'),
    });
  });

  it('runs `arena debate` in the running arena: streamed here, kept there, shown by `debates show`', async () => {
    const r = await runArena(['debate', 'A tool library for neighbours', '--rounds', '1'], { cwd, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('the debate runs there');
    // Streamed: phase banners and speakers, then the result.
    expect(r.stdout).toContain('━━ Divergence');
    expect(r.stdout).toContain('━━ Planning');
    expect(r.stdout).toMatch(/A tool library for neighbours: /);
    // The offline provider (the server's LLM_PROVIDER): a labelled draft that spends and counts nothing.
    expect(r.stdout).toContain('Written offline');
    expect(r.stdout).toMatch(/ 0 tokens · \$0\.0000 · id /);
    const id = /id ([0-9a-f-]{36})/.exec(r.stdout)?.[1];
    expect(id).toBeDefined();
    // Kept by the server (the dashboard reads the same API), not in a throwaway database.
    const res = await fetch(`${base}/api/debates/${id}`);
    expect(res.status).toBe(200);
    const { debate } = (await res.json()) as {
      debate: { status: string; title: string; messageCount: number };
    };
    expect(debate.status).toBe('completed');
    expect(debate.title).toContain('tool library');
    expect(debate.messageCount).toBeGreaterThan(0);
    // `debates show` has what the export has: title, status, phase banners, references, the plan.
    const show = await runArena(['debates', 'show', id!], { cwd, env });
    expect(show.code, show.stderr).toBe(0);
    const lines = show.stdout.split('\n');
    expect(lines[0]).toBe('A tool library for neighbours');
    expect(lines[1]).toMatch(/^completed/);
    for (const banner of ['━━ Divergence · round 1 ━━', '━━ Convergence ━━', '━━ Planning ━━'])
      expect(show.stdout).toContain(banner);
    expect(show.stdout).toMatch(/↳ replies to #\d+ /);
    expect(show.stdout).toMatch(/━━ Plan: /);
    // A provider choice the server cannot honour is refused, not ignored.
    const own = await runArena(['debate', 'Another idea here', '--provider', 'offline'], { cwd, env });
    expect(own.code).toBe(2);
    expect(own.stderr).toContain('runs the debate on its own model');
  });

  it('answers ideas, trends, signals, feeds and jobs through the running server, and adds an idea there', async () => {
    const add = await runArena(['ideas', 'add', 'A rota for shared garden tools'], { cwd, env });
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/^added idea [0-9a-f-]{36}: A rota for shared garden tools/);
    const ideas = await runArena(['ideas', '--json'], { cwd, env });
    expect(ideas.code, ideas.stderr).toBe(0);
    expect(ideas.stderr).toContain('through the running arena');
    expect((JSON.parse(ideas.stdout) as Array<{ title: string }>).map((i) => i.title)).toContain(
      'A rota for shared garden tools',
    );
    // The same idea from the API: the CLI read the server's database, not an empty one.
    const api = (await (await fetch(`${base}/api/ideas`)).json()) as { ideas: Array<{ title: string }> };
    expect(api.ideas.map((i) => i.title)).toContain('A rota for shared garden tools');
    const jobs = await runArena(['jobs', 'list', '--json'], { cwd, env });
    expect(jobs.code, jobs.stderr).toBe(0);
    expect((JSON.parse(jobs.stdout) as Array<{ name: string }>).map((j) => j.name)).toContain(
      'signals.fetch',
    );
    for (const args of [
      ['trends', '--json'],
      ['signals', 'list', '--json'],
      ['signals', 'feeds', '--json'],
    ]) {
      const r = await runArena(args, { cwd, env });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stderr).toContain('through the running arena');
      expect(Array.isArray(JSON.parse(r.stdout))).toBe(true);
    }
    // A run cannot go around the server: refused in one line saying where to do it.
    const fetchNow = await runArena(['signals', 'fetch'], { cwd, env });
    expect(fetchNow.code).toBe(1);
    expect(fetchNow.stderr.trim().split('\n')).toHaveLength(1);
    expect(fetchNow.stderr).toContain(`run this from its dashboard (${base})`);
  });
});
