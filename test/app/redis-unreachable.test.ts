import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runArena } from '../helpers/cli.ts';

describe('arena start with an unreachable REDIS_URL', { timeout: 90_000 }, () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'arena-redis-'));
  });
  afterAll(() => rm(cwd, { recursive: true, force: true }));

  it('exits 1 with one line naming REDIS_URL, before opening anything', async () => {
    const started = Date.now();
    const r = await runArena(['start'], {
      cwd,
      env: cleanEnv({ REDIS_URL: 'redis://127.0.0.1:1', LLM_PROVIDER: 'offline', DASHBOARD_PORT: '0' }),
    });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^arena: REDIS_URL: cannot connect/);
    expect(r.stderr + r.stdout).not.toContain('Unhandled error event');
    // Not forever (the old zombie), even on a loaded machine where the CLI itself takes seconds to load.
    expect(Date.now() - started).toBeLessThan(50_000);
    // Nothing was created: the database is opened only after the bus.
    expect(await readdir(cwd)).toEqual([]);
  });
});
