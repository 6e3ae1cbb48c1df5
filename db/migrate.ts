import { type Kysely, type MigrationResultSet, Migrator } from 'kysely';
import { migrations } from './migrations/index.ts';

// A static list rather than a folder scan: it works the same under tsx, vitest and a bundler.
export function createMigrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

export interface MigrationReport {
  applied: string[];
  error?: unknown;
}

/** Applies every pending migration; already-applied ones are left alone. */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationReport> {
  const result: MigrationResultSet = await createMigrator(db).migrateToLatest();
  const applied = (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  return result.error === undefined ? { applied } : { applied, error: result.error };
}

export interface MigrationStatus {
  name: string;
  executedAt: Date | null;
}

export async function migrationStatus(db: Kysely<any>): Promise<MigrationStatus[]> {
  const list = await createMigrator(db).getMigrations();
  return list.map((m) => ({ name: m.name, executedAt: m.executedAt ?? null }));
}
