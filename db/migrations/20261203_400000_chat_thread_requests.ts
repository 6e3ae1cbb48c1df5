import { type Kysely, sql } from 'kysely';

// A debate that needs a chat thread no process here can open (a `--role worker` running
// `debate.auto`): the request is written in the debate's own creation transaction, and a bot
// process claims it, opens the thread and binds it (bot/thread-requests.ts).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('chat_thread_requests')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('platform', 'varchar(20)', (c) => c.notNull())
    .addColumn('workspace_id', 'varchar(100)', (c) => c.notNull())
    .addColumn('channel_id', 'varchar(100)', (c) => c.notNull())
    .addColumn('title', 'varchar(200)', (c) => c.notNull())
    .addColumn('debate_id', 'uuid', (c) =>
      c.notNull().unique().references('debate_sessions.id').onDelete('cascade'),
    )
    .addColumn('created_by', 'varchar(100)')
    // pending → done (thread_id set, binding written in the same transaction) or failed.
    .addColumn('status', 'varchar(20)', (c) => c.notNull().defaultTo('pending'))
    .addColumn('thread_id', 'varchar(100)')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    // The bot process trying it now, and until when (also the earliest next try after a failure).
    .addColumn('claimed_by', 'varchar(200)')
    .addColumn('claimed_until', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('idx_chat_thread_requests_pending')
    .on('chat_thread_requests')
    .columns(['platform', 'created_at'])
    .where(sql.ref('status'), '=', 'pending')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('chat_thread_requests').ifExists().execute();
}
