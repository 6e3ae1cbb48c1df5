import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Another live process holds the embedded database. */
export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
  readonly code = 'data_dir_locked';
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(
      `the embedded database in ${dir} is in use by another arena process (pid ${pid}); ` +
        'stop it, use another DATA_DIR, or set DATABASE_URL to share a Postgres database',
    );
  }
}

// PGlite takes no lock of its own and two processes on one data dir corrupt it, so we take one.
export function lockDataDir(dir: string): () => void {
  const file = path.join(dir, 'arena.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readFileSync(file, 'utf8'), 10);
      if (Number.isInteger(holder) && isAlive(holder)) {
        throw new DataDirLockedError(dir, holder);
      }
      // Left behind by a process that died: take it over.
      rmSync(file, { force: true });
    }
  }
  throw new Error(`could not lock ${file}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
