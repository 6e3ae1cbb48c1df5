import { type Kysely, sql } from 'kysely';

// A turn updates its debate row 3–4 times (claim, budget hold, commit, lease renewal). Postgres can
// update a row in place (a HOT update: no new index entries, old versions pruned with the page)
// only when no indexed column changes and the page has room. The claim changes `phase` and every
// update moves `lease_expires_at`, both indexed, so each update wrote a new entry into all five
// indexes of debate_sessions. The runners' poll reads active debates by `status` alone (indexed),
// and nothing looks debates up by phase: both indexes go, and the rows get room on their page.
// debate_messages: the unique (session_id, turn_index) index serves every per-debate read, so the
// session_id index only cost every commit one more index insert.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('idx_debates_phase').ifExists().execute();
  await db.schema.dropIndex('idx_debates_status_lease').ifExists().execute();
  await sql`alter table debate_sessions set (fillfactor = 50)`.execute(db);
  await db.schema.dropIndex('idx_messages_session').ifExists().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('idx_messages_session').on('debate_messages').column('session_id').execute();
  await sql`alter table debate_sessions reset (fillfactor)`.execute(db);
  await db.schema
    .createIndex('idx_debates_status_lease')
    .on('debate_sessions')
    .columns(['status', 'lease_expires_at'])
    .execute();
  await db.schema.createIndex('idx_debates_phase').on('debate_sessions').column('phase').execute();
}
