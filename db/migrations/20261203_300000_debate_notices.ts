import { type Kysely, sql } from 'kysely';

// A debate's state changes that a viewer is told about (paused, resumed, stopped) are part of its
// committed log, like its messages: each is a row written in the same statement or transaction as
// the transition, numbered from the debate's commit sequence (`next_seq`) so it sorts among the
// messages in commit order. `debate_sessions.last_notice_seq` tells a reader of the log in the same
// statement whether there is a notice to read at all; `chat_threads.notice_seq` is a thread's cursor.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('debate_notices')
    .addColumn('session_id', 'uuid', (c) => c.notNull().references('debate_sessions.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('kind', 'varchar(20)', (c) => c.notNull())
    .addColumn('reason', 'varchar(50)')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('pk_debate_notices', ['session_id', 'seq'])
    .execute();
  await db.schema
    .alterTable('debate_sessions')
    .addColumn('last_notice_seq', 'integer', (c) => c.notNull().defaultTo(-1))
    .execute();
  await db.schema
    .alterTable('chat_threads')
    .addColumn('notice_seq', 'integer', (c) => c.notNull().defaultTo(-1))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('chat_threads').dropColumn('notice_seq').execute();
  await db.schema.alterTable('debate_sessions').dropColumn('last_notice_seq').execute();
  await db.schema.dropTable('debate_notices').ifExists().execute();
}
