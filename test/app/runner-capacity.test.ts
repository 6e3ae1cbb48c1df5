import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/config.ts';
import { openArenaContext } from '../../app/context.ts';
import { silentLogger } from '../../engine/log.ts';
import { createAppDatabase, type TestDatabase } from '../helpers/db.ts';

// ARENA_MAX_DEBATES reaches the runner the app builds: its capacity is what PROCESSES and /metrics show.
describe('ARENA_MAX_DEBATES', () => {
  let dir: string;
  let pg: TestDatabase | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'arena-capacity-'));
    // On Postgres when the run has one, else a copy of the run's migrated PGlite folder.
    pg = await createAppDatabase(dir);
  }, 120_000);
  afterAll(async () => {
    await pg?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('sets the runner capacity of the app context', async () => {
    const config = loadConfig({
      DATA_DIR: dir,
      LLM_PROVIDER: 'offline',
      ARENA_MAX_DEBATES: '7',
      ...(pg?.url ? { DATABASE_URL: pg.url } : {}),
    });
    const ctx = await openArenaContext(config, silentLogger);
    try {
      expect(ctx.runner.load()).toEqual({ running: 0, queued: 0, capacity: 7 });
    } finally {
      await ctx.close();
    }
  }, 180_000);
});
