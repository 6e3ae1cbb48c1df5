import { randomBytes, randomUUID } from 'node:crypto';
import { cp, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { inject } from 'vitest';
import { adminExecute, databaseUrl } from '../../db/admin.ts';
import { connectDatabase, type DatabaseHandle, type DialectName } from '../../db/connect.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import type { Database } from '../../db/schema.ts';

/** Real Postgres for integration tests, when the environment provides one. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL || undefined;

/**
 * Redis settings for an arena child process: its own REDIS_PREFIX, so files (and other runs) sharing
 * the test Redis never see each other's events, cache or chat limits. Empty without TEST_REDIS_URL.
 */
export function childRedisEnv(): { REDIS_URL?: string; REDIS_PREFIX?: string } {
  return TEST_REDIS_URL
    ? { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: `test-${randomBytes(4).toString('hex')}:` }
    : {};
}

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
    const snapshot = await pgliteSnapshot(opts.migrate !== false ? 'pgliteSnapshot' : 'pgliteEmptySnapshot');
    handle = await connectDatabase({ pgliteDataDir: 'memory://', pgliteSnapshot: snapshot });
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

const snapshots = new Map<string, Promise<Blob>>();
/** One of the run's PGlite tarballs (test/setup/migrated-templates.ts), read once per test file. */
function pgliteSnapshot(which: 'pgliteSnapshot' | 'pgliteEmptySnapshot'): Promise<Blob> {
  let blob = snapshots.get(which);
  if (!blob) {
    blob = readFile(inject(which)).then((bytes) => new Blob([bytes]));
    snapshots.set(which, blob);
  }
  return blob;
}

/**
 * Copies the run's migrated PGlite data folder to `dir` (which must not exist yet), for a child
 * process or an `arena` command that is not about creating the embedded database: creating one is
 * seconds of CPU (initdb), migrating it more.
 */
export async function copyMigratedPgliteDir(dir: string): Promise<void> {
  await cp(inject('pgliteTemplateDir'), dir, { recursive: true, errorOnExist: true, force: false });
}

/**
 * The migrated database an app configured with `DATA_DIR=dataDir` works on: a new Postgres database
 * when the run has one (returned; pass its url as DATABASE_URL), else a copy of the run's PGlite
 * folder in `dataDir/pglite`, where the app looks for it.
 */
export async function createAppDatabase(dataDir: string): Promise<TestDatabase | undefined> {
  if (TEST_DATABASE_URL) return createTestDatabase('postgres');
  await copyMigratedPgliteDir(path.join(dataDir, 'pglite'));
  return undefined;
}

/** A bare debate (and its idea) for tests about the rows that hang off one; its id. */
export async function seedDebate(db: Kysely<Database>): Promise<string> {
  const ideaId = randomUUID();
  const debateId = randomUUID();
  await db
    .insertInto('ideas')
    .values({ id: ideaId, title: 'x', summary: 'x', source_type: 'user' })
    .execute();
  await db
    .insertInto('debate_sessions')
    .values({ id: debateId, idea_id: ideaId, phase: 'divergence', lang: 'en' })
    .execute();
  return debateId;
}
