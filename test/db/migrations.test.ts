import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createMigrator, migrateToLatest, migrationStatus } from '../../db/migrate.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';

describe.each(testDialects())('migrations on %s', (dialect) => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it('creates every table and a second run is a no-op', async () => {
    t = await createTestDatabase(dialect, { migrate: false });
    const first = await migrateToLatest(t.db);
    expect(first.error).toBeUndefined();
    expect(first.applied.length).toBeGreaterThan(0);

    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables
      where table_schema = current_schema() order by table_name`.execute(t.db);
    const names = tables.rows.map((r) => r.table_name);
    for (const table of [
      'signals',
      'trends',
      'ideas',
      'debate_sessions',
      'debate_messages',
      'plans',
      'api_usage',
      'system_logs',
      'agent_states',
      'chat_threads',
      'chat_webhooks',
      'chat_outbox',
      'chat_thread_requests',
    ]) {
      expect(names).toContain(table);
    }

    const second = await migrateToLatest(t.db);
    expect(second.error).toBeUndefined();
    expect(second.applied).toEqual([]);
    const status = await migrationStatus(t.db);
    expect(status.every((m) => m.executedAt instanceof Date)).toBe(true);
  });

  it('keeps the seed indexes and the per-turn unique key', async () => {
    t = await createTestDatabase(dialect);
    const idx = await sql<{ indexname: string }>`
      select indexname from pg_indexes where schemaname = current_schema()`.execute(t.db);
    const names = idx.rows.map((r) => r.indexname);
    for (const i of [
      'idx_signals_score',
      'idx_ideas_status',
      'idx_debates_status',
      'idx_usage_date',
      'idx_logs_created_at',
      'uq_messages_session_turn',
      'uq_usage_date_provider_model',
    ]) {
      expect(names).toContain(i);
    }
  });

  it('one plan per debate: extra plans of a debate are kept, detached, with the debate in metadata', async () => {
    t = await createTestDatabase(dialect, { migrate: false });
    const before = await createMigrator(t.db).migrateTo('20261202_140000_signals_feeds_jobs');
    expect(before.error).toBeUndefined();
    const { rows: ideas } = await sql<{ id: string }>`
      insert into ideas (title, summary, source_type) values ('i', 's', 'manual') returning id`.execute(t.db);
    const ideaId = ideas[0]!.id;
    const { rows: debates } = await sql<{ id: string }>`
      insert into debate_sessions (idea_id, phase) values (${ideaId}::uuid, 'planning') returning id`.execute(
      t.db,
    );
    const debateId = debates[0]!.id;
    await sql`insert into plans (idea_id, debate_session_id, title, prd_content, updated_at) values
      (${ideaId}::uuid, ${debateId}::uuid, 'older', 'a', '2026-01-01T00:00:00Z'),
      (${ideaId}::uuid, ${debateId}::uuid, 'newer', 'b', '2026-01-02T00:00:00Z')`.execute(t.db);

    expect((await migrateToLatest(t.db)).error).toBeUndefined();
    const { rows } = await sql<{ title: string; debate_session_id: string | null; metadata: unknown }>`
      select title, debate_session_id, metadata from plans order by title`.execute(t.db);
    expect(rows).toEqual([
      { title: 'newer', debate_session_id: debateId, metadata: null },
      { title: 'older', debate_session_id: null, metadata: { superseded_debate_session_id: debateId } },
    ]);
    await expect(
      sql`insert into plans (idea_id, debate_session_id, title) values (${ideaId}::uuid, ${debateId}::uuid, 'x')`.execute(
        t.db,
      ),
    ).rejects.toThrow(/uq_plans_debate_session|duplicate key/);
  });
});
