import { type Kysely, sql } from 'kysely';

// One process per chat platform holds its gateway/socket: a lease row per platform, renewed by the
// holder and taken over by another bot process once it runs out (app/roles/leader.ts).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('platform_leaders')
    .addColumn('platform', 'varchar(20)', (c) => c.primaryKey())
    .addColumn('owner', 'varchar(200)')
    .addColumn('lease_until', 'timestamptz')
    .addColumn('since', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('platform_leaders').ifExists().execute();
}
