import type { Kysely } from 'kysely';

// The turn index a runner has claimed for the LLM call it is making now. A person's message that
// arrives meanwhile takes the index after it, so the answer to them comes right after that turn;
// after a crash the claimed index is replayed, so the transcript never has a gap.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('debate_sessions').addColumn('turn_in_flight', 'integer').execute();
  // The runners' poll: active debates whose lease is free or expired.
  await db.schema
    .createIndex('idx_debates_status_lease')
    .on('debate_sessions')
    .columns(['status', 'lease_expires_at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('idx_debates_status_lease').ifExists().execute();
  await db.schema.alterTable('debate_sessions').dropColumn('turn_in_flight').execute();
}
