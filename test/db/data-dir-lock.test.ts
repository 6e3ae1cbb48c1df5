import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../db/connect.ts';
import { DataDirLockedError } from '../../db/data-dir-lock.ts';
import { copyMigratedPgliteDir } from '../helpers/db.ts';

describe('embedded database lock', () => {
  let parent: string;
  let dir: string;
  beforeAll(async () => {
    parent = await mkdtemp(path.join(tmpdir(), 'arena-lock-'));
    dir = path.join(parent, 'pglite');
    await copyMigratedPgliteDir(dir);
  });
  afterAll(() => rm(parent, { recursive: true, force: true }));

  it('refuses a second opener of the same data dir and frees it on close', async () => {
    const first = await connectDatabase({ pgliteDataDir: dir });
    try {
      await expect(connectDatabase({ pgliteDataDir: dir })).rejects.toBeInstanceOf(DataDirLockedError);
      await expect(connectDatabase({ pgliteDataDir: dir })).rejects.toThrow(
        /in use by another arena process/,
      );
    } finally {
      await first.close();
    }
    expect(existsSync(path.join(dir, 'arena.lock'))).toBe(false);
    const again = await connectDatabase({ pgliteDataDir: dir });
    await again.close();
  });

  it('takes over a lock left by a process that died', async () => {
    const dead = spawn(process.execPath, ['-e', '0']);
    const pid = dead.pid!;
    await new Promise((r) => dead.on('exit', r));
    writeFileSync(path.join(dir, 'arena.lock'), String(pid));
    const handle = await connectDatabase({ pgliteDataDir: dir });
    await handle.close();
  });
});
