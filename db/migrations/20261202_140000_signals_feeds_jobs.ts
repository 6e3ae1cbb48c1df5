import { type Kysely, sql } from 'kysely';

// Long-running operation (issue #10): signals get a unique de-duplication key (canonical URL or
// guid) and their publication time; each feed keeps a health record with its conditional-request
// validators; each scheduled job keeps one row that is both its last-run record and its lease.

const now = sql`now()`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('signals')
    .addColumn('dedup_key', 'varchar(80)')
    .addColumn('published_at', 'timestamptz')
    .addColumn('feed_url', 'text')
    .execute();
  // Rows stored before this migration have no key; NULLs never collide in a unique index.
  await db.schema.createIndex('uq_signals_dedup_key').on('signals').column('dedup_key').unique().execute();

  await db.schema
    .createTable('feed_health')
    .addColumn('url', 'text', (c) => c.primaryKey())
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('source', 'varchar(50)', (c) => c.notNull())
    .addColumn('category', 'varchar(50)', (c) => c.notNull())
    .addColumn('etag', 'text')
    .addColumn('last_modified', 'text')
    .addColumn('last_fetch_at', 'timestamptz')
    .addColumn('last_ok_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', 'timestamptz')
    .addColumn('last_status', 'varchar(20)')
    .addColumn('items_last', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('items_added_last', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_fetch_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('job_runs')
    .addColumn('name', 'varchar(100)', (c) => c.primaryKey())
    .addColumn('status', 'varchar(20)', (c) => c.notNull().defaultTo('idle'))
    .addColumn('lease_owner', 'varchar(200)')
    .addColumn('lease_expires_at', 'timestamptz')
    .addColumn('last_started_at', 'timestamptz')
    .addColumn('last_finished_at', 'timestamptz')
    .addColumn('last_duration_ms', 'integer')
    .addColumn('last_result', 'jsonb')
    .addColumn('last_error', 'text')
    .addColumn('next_run_at', 'timestamptz')
    .addColumn('runs', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('job_runs').ifExists().execute();
  await db.schema.dropTable('feed_health').ifExists().execute();
  await db.schema.dropIndex('uq_signals_dedup_key').ifExists().execute();
  await db.schema
    .alterTable('signals')
    .dropColumn('feed_url')
    .dropColumn('published_at')
    .dropColumn('dedup_key')
    .execute();
}
