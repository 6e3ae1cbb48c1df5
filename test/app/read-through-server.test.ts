import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARENA_BIN, cleanEnv, runArena, waitForOutput } from '../helpers/cli.ts';

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
describe('read commands while `arena start` holds the embedded database', { timeout: 240_000 }, () => {
  let cwd: string;
  let env: Record<string, string>;
  let server: ReturnType<typeof spawn> | undefined;
  let base = '';
  beforeAll(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'arena-read-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = cleanEnv({ DASHBOARD_PORT: String(port), LLM_PROVIDER: 'offline', LOG_LEVEL: 'info' });
    server = spawn(process.execPath, [ARENA_BIN, 'start'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    await waitForOutput(server, /dashboard: http/, 180_000);
  });
  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    await rm(cwd, { recursive: true, force: true });
  });

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
});
