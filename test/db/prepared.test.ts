import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statementNames } from '../../db/prepared.ts';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../helpers/db.ts';

describe('statement names', () => {
  it('names a text from its third run on, the same name every time, and never a retired one', () => {
    const names = statementNames();
    const text = 'select * from debate_sessions where id = $1';
    expect(names.nameFor(text)).toBeUndefined();
    expect(names.nameFor(text)).toBeUndefined();
    const name = names.nameFor(text);
    expect(name).toMatch(/^arena_[0-9a-f]{20}$/);
    expect(names.nameFor(text)).toBe(name);
    expect(names.nameFor('select 2 where $1')).toBeUndefined();
    names.retire(text);
    for (let i = 0; i < 5; i++) expect(names.nameFor(text)).toBeUndefined();
  });

  it('stops naming new texts at its cap (each is kept on every pooled connection)', () => {
    const names = statementNames();
    let named = 0;
    for (let i = 0; i < 300; i++) {
      const text = `select ${i} where $1`;
      names.nameFor(text);
      names.nameFor(text);
      if (names.nameFor(text)) named++;
    }
    expect(named).toBe(200);
  });
});

describe.skipIf(!TEST_DATABASE_URL)('prepared statements on Postgres', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('postgres', { maxConnections: 1 });
  });
  afterAll(() => t?.dispose());

  it('a hot parameterised statement is prepared once on the connection and keeps answering', async () => {
    const read = (n: number) => sql<{ n: number }>`select ${n}::int + 1 as n`.execute(t.db);
    for (let i = 0; i < 6; i++) expect((await read(i)).rows[0]?.n).toBe(i + 1);
    const { rows } = await sql<{ statement: string }>`
      select statement from pg_prepared_statements where name like 'arena_%'`.execute(t.db);
    expect(rows.map((r) => r.statement)).toContain('select $1::int + 1 as n');
  });

  it('a prepared select * whose table gains a column fails once, then runs unprepared', async () => {
    await sql`create table prep_probe (id int primary key)`.execute(t.db);
    await sql`insert into prep_probe values (1)`.execute(t.db);
    const read = () => sql`select * from prep_probe where id = ${1}`.execute(t.db);
    for (let i = 0; i < 4; i++) await read();
    await sql`alter table prep_probe add column extra int`.execute(t.db);
    await expect(read()).rejects.toThrow(/cached plan must not change result type/);
    expect((await read()).rows).toEqual([{ id: 1, extra: null }]);
  });
});
