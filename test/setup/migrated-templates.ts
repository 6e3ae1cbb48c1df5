import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { adminExecute, databaseUrl } from '../../db/admin.ts';
import { connectDatabase, type DatabaseHandle } from '../../db/connect.ts';
import { migrateToLatest } from '../../db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated, empty PGlite database as a tarball file (see test/helpers/db.ts). */
    pgliteSnapshot: string;
    /** A new PGlite database before any migration, as a tarball file. */
    pgliteEmptySnapshot: string;
    /** The same database as a PGlite data folder, copied for child processes (test/helpers/db.ts). */
    pgliteTemplateDir: string;
    /** A migrated, empty Postgres database to `CREATE DATABASE … TEMPLATE` from ('' without Postgres). */
    postgresTemplate: string;
  }
}

/**
 * Creates and migrates once per test run what tests would otherwise create and migrate case by case
 * (creating a PGlite database alone is seconds of CPU): one PGlite data folder, dumped as tarballs
 * before and after migrating for in-memory copies, and, when TEST_DATABASE_URL is set, one Postgres
 * template database.
 */
export async function migratedTemplates(project: TestProject): Promise<() => Promise<void>> {
  const id = randomBytes(6).toString('hex');
  const dir = await mkdtemp(path.join(tmpdir(), 'arena-test-templates-'));
  const url = process.env.TEST_DATABASE_URL || undefined;
  const template = url ? `arena_template_${id}` : '';
  const removeAll = async () => {
    await rm(dir, { recursive: true, force: true });
    if (url) await adminExecute(url, `drop database if exists ${template} with (force)`);
  };
  try {
    await Promise.all([
      migrated(
        connectDatabase({ pgliteDataDir: path.join(dir, 'pglite'), initdbInChild: true }),
        (h) => dump(h, path.join(dir, 'empty.tar')),
        (h) => dump(h, path.join(dir, 'migrated.tar')),
      ),
      url &&
        adminExecute(url, `create database ${template}`).then(() =>
          migrated(connectPatiently(databaseUrl(url, template))),
        ),
    ]);
  } catch (error) {
    await removeAll();
    throw error;
  }
  project.provide('pgliteSnapshot', path.join(dir, 'migrated.tar'));
  project.provide('pgliteEmptySnapshot', path.join(dir, 'empty.tar'));
  project.provide('pgliteTemplateDir', path.join(dir, 'pglite'));
  project.provide('postgresTemplate', template);
  return removeAll;
}

/** Migrates a new database to the latest version, with `before` and `after` around it, and closes it. */
async function migrated(
  connecting: Promise<DatabaseHandle>,
  before: (h: DatabaseHandle) => Promise<void> = async () => {},
  after: (h: DatabaseHandle) => Promise<void> = async () => {},
): Promise<void> {
  const handle = await connecting;
  try {
    await before(handle);
    const report = await migrateToLatest(handle.db);
    if (report.error) throw report.error;
    await after(handle);
  } finally {
    await handle.close();
  }
}

async function dump(handle: DatabaseHandle, file: string): Promise<void> {
  const tarball = await handle.dumpDataDir!();
  await writeFile(file, Buffer.from(await tarball.arrayBuffer()));
}

/** A connection to `url`, tried three times: one slow connect on a busy machine would fail the whole run. */
async function connectPatiently(url: string): Promise<DatabaseHandle> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await connectDatabase({ databaseUrl: url, maxConnections: 1 });
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}
