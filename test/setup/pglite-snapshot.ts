import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { connectDatabase } from '../../db/connect.ts';
import { migrateToLatest } from '../../db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated, empty PGlite database as a tarball file (see test/helpers/db.ts). */
    pgliteSnapshot: string;
  }
}

/**
 * Migrates one in-memory PGlite database per test run and dumps it into the system's temp folder:
 * every test that asks for a migrated PGlite database starts from this copy instead of migrating.
 */
export default async function setup(project: TestProject) {
  const handle = await connectDatabase({ pgliteDataDir: 'memory://' });
  const file = path.join(tmpdir(), `arena-pglite-snapshot-${randomBytes(6).toString('hex')}.tar`);
  try {
    const report = await migrateToLatest(handle.db);
    if (report.error) throw report.error;
    const tarball = await handle.dumpDataDir!();
    await writeFile(file, Buffer.from(await tarball.arrayBuffer()));
  } finally {
    await handle.close();
  }
  project.provide('pgliteSnapshot', file);
  return async () => {
    await rm(file, { force: true });
  };
}
