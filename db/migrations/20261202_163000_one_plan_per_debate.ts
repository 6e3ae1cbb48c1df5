import { type Kysely, sql } from 'kysely';

// One plan per debate, so a turn's plan write is an upsert inside its one commit statement
// (db/repositories/plans.ts planUpsert). Turns always wrote one plan per debate; should a database
// hold more, the newest stays the debate's plan and the others keep their rows and idea, detached
// from the debate, with the debate's id kept in metadata.superseded_debate_session_id.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    update plans p
    set metadata = coalesce(p.metadata, '{}'::jsonb)
        || jsonb_build_object('superseded_debate_session_id', p.debate_session_id),
      debate_session_id = null
    from (
      select id, row_number() over (
        partition by debate_session_id order by version desc, updated_at desc, id desc
      ) as n
      from plans where debate_session_id is not null
    ) r
    where r.id = p.id and r.n > 1
  `.execute(db);
  await db.schema
    .createIndex('uq_plans_debate_session')
    .unique()
    .on('plans')
    .column('debate_session_id')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('uq_plans_debate_session').ifExists().execute();
}
