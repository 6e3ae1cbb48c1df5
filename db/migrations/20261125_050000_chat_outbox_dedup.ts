import { type Kysely, sql } from 'kysely';

// Banners and notices carry no debate message, so uq_outbox_message cannot deduplicate them; a
// per-binding key does (e.g. `msg:<id>`, `banner:divergence:1`, `notice:<remote id>`).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('chat_outbox').addColumn('dedup_key', 'varchar(200)').execute();
  await db.schema
    .createIndex('uq_outbox_dedup')
    .on('chat_outbox')
    .columns(['thread_binding_id', 'dedup_key'])
    .unique()
    .where(sql.ref('dedup_key'), 'is not', null)
    .execute();
  // Looking a remote post up by id (a reply to a persona's post) scans one binding's rows only.
  await db.schema
    .createIndex('idx_outbox_binding')
    .on('chat_outbox')
    .columns(['thread_binding_id', 'seq'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('idx_outbox_binding').ifExists().execute();
  await db.schema.dropIndex('uq_outbox_dedup').ifExists().execute();
  await db.schema.alterTable('chat_outbox').dropColumn('dedup_key').execute();
}
