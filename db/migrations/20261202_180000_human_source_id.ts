import { type Kysely, sql } from 'kysely';

// A person's chat message is stored once however often the platform delivers it (a Discord gateway
// replay, a Slack event retry, two bot processes): `source_id` is the platform's id of the message
// (`discord:<message id>`, `slack:<channel>:<ts>`), unique within a debate.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('debate_messages').addColumn('source_id', 'varchar(200)').execute();
  await db.schema
    .createIndex('uq_debate_messages_source')
    .on('debate_messages')
    .columns(['session_id', 'source_id'])
    .unique()
    .where(sql.ref('source_id'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('uq_debate_messages_source').ifExists().execute();
  await db.schema.alterTable('debate_messages').dropColumn('source_id').execute();
}
