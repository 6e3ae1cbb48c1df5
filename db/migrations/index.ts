import type { Migration } from 'kysely';
import * as initialSchema from './20261125_000001_initial_schema.ts';
import * as chatOutboxDedup from './20261125_050000_chat_outbox_dedup.ts';

/** Every migration, by timestamped name; Kysely runs them in name order. Add new ones here. */
export const migrations: Record<string, Migration> = {
  '20261125_000001_initial_schema': initialSchema,
  '20261125_050000_chat_outbox_dedup': chatOutboxDedup,
};
