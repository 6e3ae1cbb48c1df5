import { type Kysely, sql } from 'kysely';

// Money held for LLM calls in flight, so concurrent debates cannot all spend the same headroom.
// A row lives from just before a call until its usage is settled (or released on failure);
// rows older than the stale window are ignored and pruned, so a crash never locks budget forever.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('budget_reservations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('debate_id', 'uuid', (c) => c.references('debate_sessions.id').onDelete('cascade'))
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('amount_usd', 'numeric(14, 6)', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('idx_budget_res_day').on('budget_reservations').column('day').execute();
  await db.schema
    .createIndex('idx_budget_res_debate')
    .on('budget_reservations')
    .column('debate_id')
    .execute();
  await db.schema
    .createIndex('idx_budget_res_created')
    .on('budget_reservations')
    .column('created_at')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('budget_reservations').ifExists().execute();
}
