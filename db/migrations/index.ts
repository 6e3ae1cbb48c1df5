import type { Migration } from 'kysely';
import * as initialSchema from './20261125_000001_initial_schema.ts';

/** Every migration, by timestamped name; Kysely runs them in name order. Add new ones here. */
export const migrations: Record<string, Migration> = {
  '20261125_000001_initial_schema': initialSchema,
};
