import { type Kysely, sql } from 'kysely';

// A turn becomes one short statement (see db/repositories/turns.ts and budget.ts):
// - budget_windows: one row per UTC month carrying that month's and the current day's spent, held
//   and tokens; a reservation is a conditional update of it, so no cluster-wide lock is needed.
// - debate_sessions.held_usd/held_day: money the debate's runner holds on the window row now, so a
//   crashed runner's holds are given back when its debate is reclaimed (reconciled, never leaked).
// - debate_sessions.next_turn: the next free turn index (a claim is a conditional update on it);
//   next_seq: the next commit number, so debate_messages.commit_seq follows commit order per debate
//   (a cursor over it never skips a turn that was claimed earlier and committed later).
// - debate_messages.usages/stats_folded: a turn's calls, folded later in batches into api_usage and
//   agent_states instead of upserting those hot rows in every commit.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('budget_windows')
    .addColumn('month', 'date', (c) => c.primaryKey())
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('day_spent', 'numeric(14, 6)', (c) => c.notNull().defaultTo(0))
    .addColumn('day_reserved', 'numeric(14, 6)', (c) => c.notNull().defaultTo(0))
    .addColumn('day_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('month_spent', 'numeric(14, 6)', (c) => c.notNull().defaultTo(0))
    .addColumn('month_reserved', 'numeric(14, 6)', (c) => c.notNull().defaultTo(0))
    .addColumn('month_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Spending recorded so far, per month; the day columns carry the month's latest day.
  await sql`
    insert into budget_windows (month, day, day_spent, day_tokens, month_spent, month_tokens)
    select date_trunc('month', u.date)::date, l.day,
      coalesce(sum(u.cost_usd) filter (where u.date = l.day), 0),
      coalesce(sum(u.input_tokens + u.output_tokens) filter (where u.date = l.day), 0),
      sum(u.cost_usd), sum(u.input_tokens + u.output_tokens)
    from api_usage u
    join (select date_trunc('month', date)::date as month, max(date) as day from api_usage group by 1) l
      on l.month = date_trunc('month', u.date)::date
    group by 1, 2
  `.execute(db);
  await db.schema.dropTable('budget_reservations').ifExists().execute();

  await db.schema
    .alterTable('debate_sessions')
    .addColumn('next_turn', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('held_usd', 'numeric(14, 6)', (c) => c.notNull().defaultTo(0))
    .addColumn('held_day', 'date')
    .addColumn('turn_speaker', 'varchar(100)')
    .execute();
  await db.schema
    .alterTable('debate_messages')
    .addColumn('commit_seq', 'integer')
    .addColumn('usages', 'jsonb')
    .addColumn('stats_folded', 'boolean', (c) => c.notNull().defaultTo(true))
    .execute();
  await sql`
    update debate_messages m set commit_seq = r.seq
    from (select id, (row_number() over (partition by session_id order by turn_index))::int - 1 as seq
          from debate_messages) r
    where r.id = m.id
  `.execute(db);
  await sql`
    update debate_sessions s set
      next_seq = coalesce((select count(*) from debate_messages m where m.session_id = s.id), 0),
      next_turn = greatest(
        coalesce((select max(turn_index) + 1 from debate_messages m where m.session_id = s.id), 0),
        coalesce(s.turn_in_flight + 1, 0))
  `.execute(db);
  await sql`alter table debate_messages alter column commit_seq set not null`.execute(db);
  await db.schema
    .createIndex('uq_messages_session_seq')
    .on('debate_messages')
    .columns(['session_id', 'commit_seq'])
    .unique()
    .execute();
  await db.schema
    .createIndex('idx_messages_unfolded')
    .on('debate_messages')
    .column('created_at')
    .where(sql.ref('stats_folded'), '=', false)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('idx_messages_unfolded').ifExists().execute();
  await db.schema.dropIndex('uq_messages_session_seq').ifExists().execute();
  await db.schema
    .alterTable('debate_messages')
    .dropColumn('commit_seq')
    .dropColumn('usages')
    .dropColumn('stats_folded')
    .execute();
  await db.schema
    .alterTable('debate_sessions')
    .dropColumn('next_turn')
    .dropColumn('next_seq')
    .dropColumn('held_usd')
    .dropColumn('held_day')
    .dropColumn('turn_speaker')
    .execute();
  await db.schema.dropTable('budget_windows').ifExists().execute();
}
