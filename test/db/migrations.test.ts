import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest, migrationStatus } from '../../db/migrate.ts';
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
      'idx_messages_session',
      'idx_usage_date',
      'idx_logs_created_at',
      'uq_messages_session_turn',
      'uq_usage_date_provider_model',
    ]) {
      expect(names).toContain(i);
    }
  });
});
