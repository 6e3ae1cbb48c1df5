import { type Kysely, sql } from 'kysely';

// The seed's section 3 schema adapted to Postgres, plus what the engine and the chat side need.
// Migrations take Kysely<any>: they describe the schema as it was when they were written.

const now = sql`now()`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('signals')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('source', 'varchar(50)', (c) => c.notNull())
    .addColumn('category', 'varchar(50)', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('summary', 'text')
    .addColumn('url', 'text')
    .addColumn('raw_data', 'jsonb')
    .addColumn('score', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('sentiment', 'varchar(20)')
    .addColumn('topics', sql`text[]`)
    .addColumn('entities', sql`text[]`)
    .addColumn('collected_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('processed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('idx_signals_source').on('signals').column('source').execute();
  await db.schema.createIndex('idx_signals_category').on('signals').column('category').execute();
  await db.schema.createIndex('idx_signals_collected_at').on('signals').column('collected_at').execute();
  await db.schema.createIndex('idx_signals_score').on('signals').expression(sql`score desc`).execute();

  await db.schema
    .createTable('trends')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('period', 'varchar(20)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('score', 'double precision', (c) => c.notNull())
    .addColumn('signal_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('category', 'varchar(50)')
    .addColumn('keywords', sql`text[]`)
    .addColumn('related_signals', sql`uuid[]`)
    .addColumn('analysis_data', 'jsonb')
    .addColumn('analyzed_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('idx_trends_period').on('trends').column('period').execute();
  await db.schema.createIndex('idx_trends_analyzed_at').on('trends').column('analyzed_at').execute();
  await db.schema.createIndex('idx_trends_score').on('trends').expression(sql`score desc`).execute();

  await db.schema
    .createTable('ideas')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('title', 'varchar(500)', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('source_type', 'varchar(20)', (c) => c.notNull())
    .addColumn('source_trend_id', 'uuid', (c) => c.references('trends.id'))
    .addColumn('source_signals', sql`uuid[]`)
    .addColumn('status', 'varchar(20)', (c) => c.notNull().defaultTo('pending'))
    .addColumn('github_issue_id', 'integer')
    .addColumn('github_issue_url', 'text')
    .addColumn('score', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('metadata', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('idx_ideas_status').on('ideas').column('status').execute();
  await db.schema.createIndex('idx_ideas_created_at').on('ideas').column('created_at').execute();

  await db.schema
    .createTable('debate_sessions')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('idea_id', 'uuid', (c) => c.notNull().references('ideas.id'))
    .addColumn('phase', 'varchar(20)', (c) => c.notNull())
    .addColumn('round_number', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('status', 'varchar(20)', (c) => c.notNull().defaultTo('active'))
    .addColumn('pause_reason', 'varchar(50)')
    .addColumn('participants', sql`text[]`)
    .addColumn('summary', 'text')
    .addColumn('outcome', 'varchar(20)')
    .addColumn('lang', 'varchar(5)', (c) => c.notNull().defaultTo('en'))
    .addColumn('metadata', 'jsonb')
    .addColumn('prompt_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('completion_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cost_usd', 'numeric(14, 6)', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_owner', 'varchar(100)')
    .addColumn('lease_expires_at', 'timestamptz')
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('completed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('idx_debates_idea').on('debate_sessions').column('idea_id').execute();
  await db.schema.createIndex('idx_debates_status').on('debate_sessions').column('status').execute();
  await db.schema.createIndex('idx_debates_phase').on('debate_sessions').column('phase').execute();

  await db.schema
    .createTable('debate_messages')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('session_id', 'uuid', (c) => c.notNull().references('debate_sessions.id').onDelete('cascade'))
    .addColumn('turn_index', 'integer', (c) => c.notNull())
    .addColumn('phase', 'varchar(20)', (c) => c.notNull())
    .addColumn('round_number', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('author_kind', 'varchar(10)', (c) => c.notNull().defaultTo('persona'))
    .addColumn('agent_id', 'varchar(100)', (c) => c.notNull())
    .addColumn('agent_name', 'varchar(100)', (c) => c.notNull())
    .addColumn('message_type', 'varchar(20)', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('references', sql`uuid[]`)
    .addColumn('personality_traits', 'jsonb')
    .addColumn('token_count', 'integer')
    .addColumn('prompt_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('completion_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cost_usd', 'numeric(14, 6)', (c) => c.notNull().defaultTo(0))
    .addColumn('model_used', 'varchar(100)')
    .addColumn('metadata', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('uq_messages_session_turn', ['session_id', 'turn_index'])
    .execute();
  await db.schema.createIndex('idx_messages_session').on('debate_messages').column('session_id').execute();
  await db.schema.createIndex('idx_messages_agent').on('debate_messages').column('agent_id').execute();
  await db.schema.createIndex('idx_messages_created_at').on('debate_messages').column('created_at').execute();

  await db.schema
    .createTable('plans')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('idea_id', 'uuid', (c) => c.notNull().references('ideas.id'))
    .addColumn('debate_session_id', 'uuid', (c) => c.references('debate_sessions.id'))
    .addColumn('title', 'varchar(500)', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('status', 'varchar(20)', (c) => c.notNull().defaultTo('draft'))
    .addColumn('prd_content', 'text')
    .addColumn('architecture_content', 'text')
    .addColumn('user_research_content', 'text')
    .addColumn('business_model_content', 'text')
    .addColumn('project_plan_content', 'text')
    .addColumn('final_plan', 'text')
    .addColumn('github_issue_id', 'integer')
    .addColumn('github_issue_url', 'text')
    .addColumn('metadata', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('idx_plans_idea').on('plans').column('idea_id').execute();
  await db.schema.createIndex('idx_plans_status').on('plans').column('status').execute();

  await db.schema
    .createTable('api_usage')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('date', 'date', (c) => c.notNull())
    .addColumn('provider', 'varchar(50)', (c) => c.notNull())
    .addColumn('model', 'varchar(100)', (c) => c.notNull())
    .addColumn('input_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('output_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('cost_usd', 'numeric(14, 6)', (c) => c.notNull().defaultTo(0))
    .addColumn('request_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('uq_usage_date_provider_model', ['date', 'provider', 'model'])
    .execute();
  await db.schema.createIndex('idx_usage_date').on('api_usage').column('date').execute();
  await db.schema.createIndex('idx_usage_provider').on('api_usage').column('provider').execute();

  await db.schema
    .createTable('system_logs')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('level', 'varchar(20)', (c) => c.notNull())
    .addColumn('source', 'varchar(100)', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('details', 'jsonb')
    .addColumn('trace', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('idx_logs_level').on('system_logs').column('level').execute();
  await db.schema.createIndex('idx_logs_source').on('system_logs').column('source').execute();
  await db.schema.createIndex('idx_logs_created_at').on('system_logs').column('created_at').execute();

  await db.schema
    .createTable('agent_states')
    .addColumn('id', 'varchar(100)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('status', 'varchar(20)', (c) => c.notNull().defaultTo('idle'))
    .addColumn('current_task', 'text')
    .addColumn('last_active_at', 'timestamptz')
    .addColumn('total_messages', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('total_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('metadata', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('chat_threads')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('platform', 'varchar(20)', (c) => c.notNull())
    .addColumn('workspace_id', 'varchar(100)', (c) => c.notNull())
    .addColumn('channel_id', 'varchar(100)', (c) => c.notNull())
    .addColumn('thread_id', 'varchar(100)', (c) => c.notNull())
    .addColumn('debate_id', 'uuid', (c) => c.notNull().references('debate_sessions.id').onDelete('cascade'))
    .addColumn('created_by', 'varchar(100)')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('uq_chat_threads_thread', ['platform', 'workspace_id', 'thread_id'])
    .execute();
  await db.schema.createIndex('idx_chat_threads_debate').on('chat_threads').column('debate_id').execute();

  await db.schema
    .createTable('chat_webhooks')
    .addColumn('platform', 'varchar(20)', (c) => c.notNull())
    .addColumn('channel_id', 'varchar(100)', (c) => c.notNull())
    .addColumn('webhook_id', 'varchar(100)', (c) => c.notNull())
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('pk_chat_webhooks', ['platform', 'channel_id'])
    .execute();

  await db.schema
    .createTable('chat_outbox')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('seq', 'bigserial', (c) => c.notNull().unique())
    .addColumn('thread_binding_id', 'uuid', (c) =>
      c.notNull().references('chat_threads.id').onDelete('cascade'),
    )
    .addColumn('platform', 'varchar(20)', (c) => c.notNull())
    .addColumn('debate_id', 'uuid', (c) => c.notNull().references('debate_sessions.id').onDelete('cascade'))
    .addColumn('message_id', 'uuid', (c) => c.references('debate_messages.id').onDelete('cascade'))
    .addColumn('kind', 'varchar(20)', (c) => c.notNull())
    .addColumn('payload', 'jsonb')
    .addColumn('status', 'varchar(10)', (c) => c.notNull().defaultTo('pending'))
    .addColumn('remote_id', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('sent_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('idx_outbox_pending')
    .on('chat_outbox')
    .columns(['status', 'thread_binding_id', 'seq'])
    .execute();
  // A message is posted once per thread binding, whatever retries or restarts happen.
  await db.schema
    .createIndex('uq_outbox_message')
    .on('chat_outbox')
    .columns(['thread_binding_id', 'message_id', 'kind'])
    .unique()
    .where(sql.ref('message_id'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'chat_outbox',
    'chat_webhooks',
    'chat_threads',
    'agent_states',
    'system_logs',
    'api_usage',
    'plans',
    'debate_messages',
    'debate_sessions',
    'ideas',
    'trends',
    'signals',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
