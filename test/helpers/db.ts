import { randomBytes } from 'node:crypto';
import { cp, readFile } from 'node:fs/promises';
import { inject } from 'vitest';
import { adminExecute, databaseUrl } from '../../db/admin.ts';
import { connectDatabase, type DatabaseHandle, type DialectName } from '../../db/connect.ts';
import { migrateToLatest } from '../../db/migrate.ts';

/** Real Postgres for integration tests, when the environment provides one. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL || undefined;

let warned = false;
/** The dialects this run can test: PGlite always, Postgres when TEST_DATABASE_URL is set. */
export function testDialects(): DialectName[] {
  if (!TEST_DATABASE_URL && !warned) {
    warned = true;
    console.warn('[skip] TEST_DATABASE_URL is not set: Postgres variants of database tests are skipped');
  }
  return TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export interface TestDatabase extends DatabaseHandle {
  /** Name of the Postgres database created for this test (undefined on PGlite). */
  schema?: string;
  /** URL of that database, for child processes (undefined on PGlite). */
  url?: string;
  /** Closes the connection and drops the database. */
  dispose(): Promise<void>;
}

/**
 * A fresh, migrated database: in-memory PGlite, or a new random database on the test Postgres. Both
 * start as copies of the run's migrated templates (test/setup/migrated-templates.ts); `migrate: false`
 * gives an empty database.
 */
export async function createTestDatabase(
  dialect: DialectName,
  opts: { migrate?: boolean; maxConnections?: number } = {},
): Promise<TestDatabase> {
  let handle: DatabaseHandle;
  let schema: string | undefined;
  let url: string | undefined;
  if (dialect === 'postgres') {
    if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set');
    // A whole database per test: the app sees exactly what it sees in production, and child
    // processes need nothing but the URL.
    schema = `arena_t_${randomBytes(6).toString('hex')}`;
    const template = opts.migrate !== false ? inject('postgresTemplate') : '';
    await adminExecute(
      TEST_DATABASE_URL,
      `create database ${schema}${template ? ` template ${template}` : ''}`,
    );
    url = databaseUrl(TEST_DATABASE_URL, schema);
    handle = await connectDatabase({
      databaseUrl: url,
      maxConnections: opts.maxConnections ?? 10,
      applicationName: 'arena-test',
    });
  } else {
    const snapshot = opts.migrate !== false ? await migratedSnapshot() : undefined;
    handle = await connectDatabase({
      pgliteDataDir: 'memory://',
      ...(snapshot ? { pgliteSnapshot: snapshot } : {}),
    });
  }
  if (opts.migrate !== false) {
    // A no-op on a copy of a template; the full migration anywhere else.
    const report = await migrateToLatest(handle.db);
    if (report.error) throw report.error;
  }
  return {
    ...handle,
    ...(schema ? { schema } : {}),
    ...(url ? { url } : {}),
    async dispose() {
      await handle.close();
      if (schema && TEST_DATABASE_URL) {
        await adminExecute(TEST_DATABASE_URL, `drop database if exists ${schema} with (force)`);
      }
    },
  };
}

let snapshot: Promise<Blob | undefined> | undefined;
/** The run's migrated PGlite tarball (test/setup/pglite-snapshot.ts), read once per test file. */
function migratedSnapshot(): Promise<Blob | undefined> {
  snapshot ??= (async () => {
    const file = inject('pgliteSnapshot');
    if (!file) return undefined;
    return new Blob([await readFile(file)]);
  })();
  return snapshot;
}

/**
 * Copies the run's migrated PGlite data folder to `dir` (which must not exist yet), for a child
 * process or an `arena` command that is not about creating the embedded database: creating one is
 * seconds of CPU (initdb), migrating it more.
 */
export async function copyMigratedPgliteDir(dir: string): Promise<void> {
  await cp(inject('pgliteTemplateDir'), dir, { recursive: true, errorOnExist: true, force: false });
}
