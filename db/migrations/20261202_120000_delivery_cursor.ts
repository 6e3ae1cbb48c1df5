import { type Kysely, sql } from 'kysely';

// Delivery is a projection of the committed log: each thread binding remembers the last turn it
// took into its outbox (and the banner that turn stood under), so a worker can fill the outbox from
// `debate_messages` after any crash or missed event. Streaming previews are tracked so a restart can
// remove the ones a dead process left behind. `delivery_owner`/`delivery_until` lease a thread's
// delivery to one process at a time when several bot processes share the database.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('chat_threads')
    .addColumn('cursor_turn', 'integer', (c) => c.notNull().defaultTo(-1))
    .execute();
  await db.schema.alterTable('chat_threads').addColumn('last_banner', 'varchar(100)').execute();
  await db.schema.alterTable('chat_threads').addColumn('delivery_owner', 'varchar(200)').execute();
  await db.schema.alterTable('chat_threads').addColumn('delivery_until', 'timestamptz').execute();
  // Existing threads start after the last message they already queued.
  await sql`
    update chat_threads t set cursor_turn = coalesce((
      select max(m.turn_index) from chat_outbox o join debate_messages m on m.id = o.message_id
      where o.thread_binding_id = t.id), -1)`.execute(db);

  await db.schema
    .createTable('chat_previews')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('thread_binding_id', 'uuid', (c) =>
      c.notNull().references('chat_threads.id').onDelete('cascade'),
    )
    .addColumn('turn_index', 'integer', (c) => c.notNull())
    .addColumn('remote_id', 'varchar(100)', (c) => c.notNull())
    .addColumn('by_identity', 'boolean', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('uq_chat_previews_remote', ['thread_binding_id', 'remote_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('chat_previews').ifExists().execute();
  for (const column of ['delivery_until', 'delivery_owner', 'last_banner', 'cursor_turn']) {
    await db.schema.alterTable('chat_threads').dropColumn(column).execute();
  }
}
