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
    /** The same database as a PGlite data folder, copied for child processes (test/helpers/db.ts). */
    pgliteTemplateDir: string;
    /** A migrated, empty Postgres database to `CREATE DATABASE … TEMPLATE` from ('' without Postgres). */
    postgresTemplate: string;
  }
}

/**
 * Migrates once per test run what tests would otherwise create and migrate case by case (creating a
 * PGlite database alone is seconds of CPU): one PGlite data folder, also dumped as a tarball for
 * in-memory copies, and, when TEST_DATABASE_URL is set, one Postgres template database.
 */
export default async function setup(project: TestProject) {
  const id = randomBytes(6).toString('hex');
  const dir = await mkdtemp(path.join(tmpdir(), 'arena-pglite-template-'));
  const file = path.join(tmpdir(), `arena-pglite-snapshot-${id}.tar`);
  const url = process.env.TEST_DATABASE_URL || undefined;
  const template = url ? `arena_template_${id}` : '';
  const dropTemplate = async () => {
    if (url) await adminExecute(url, `drop database if exists ${template} with (force)`);
  };
  const removeAll = async () => {
    await Promise.all([rm(dir, { recursive: true, force: true }), rm(file, { force: true }), dropTemplate()]);
  };
  try {
    await Promise.all([
      migrated(
        connectDatabase({ pgliteDataDir: path.join(dir, 'pglite'), initdbInChild: true }),
        async (h) => {
          const tarball = await h.dumpDataDir!();
          await writeFile(file, Buffer.from(await tarball.arrayBuffer()));
        },
      ),
      url &&
        adminExecute(url, `create database ${template}`).then(() =>
          migrated(connectDatabase({ databaseUrl: databaseUrl(url, template), maxConnections: 1 })),
        ),
    ]);
  } catch (error) {
    await removeAll();
    throw error;
  }
  project.provide('pgliteSnapshot', file);
  project.provide('pgliteTemplateDir', path.join(dir, 'pglite'));
  project.provide('postgresTemplate', template);
  return removeAll;
}

/** Migrates a new database to the latest version, runs `then` on it and closes it. */
async function migrated(
  connecting: Promise<DatabaseHandle>,
  then: (h: DatabaseHandle) => Promise<void> = async () => {},
): Promise<void> {
  const handle = await connecting;
  try {
    const report = await migrateToLatest(handle.db);
    if (report.error) throw report.error;
    await then(handle);
  } finally {
    await handle.close();
  }
}
