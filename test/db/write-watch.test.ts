import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { insertIdea } from '../../db/repositories/ideas.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';

const open: TestDatabase[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.dispose();
});

async function watched(dialect: 'pglite' | 'postgres') {
  const t = await createTestDatabase(dialect);
  open.push(t);
  const told: string[][] = [];
  const stop = t.writes.listen({
    tables: new Set(['ideas', 'signals']),
    onCommit: (tables) => told.push([...tables].sort()),
  });
  const idea = (title: string, db = t.db) =>
    insertIdea(db, { title, summary: title, source_type: 'traditional' });
  return { t, told, stop, idea };
}

describe.each(testDialects())('committed writes on %s', (dialect) => {
  it('tells a lone statement once it ran, and nothing for reads or unwatched tables', async () => {
    const { t, told, idea } = await watched(dialect);
    await idea('one');
    expect(told).toEqual([['ideas']]);
    await t.db.selectFrom('ideas').selectAll().execute();
    await sql`select count(*) from signals`.execute(t.db);
    await t.db.deleteFrom('system_logs').execute();
    expect(told).toEqual([['ideas']]);
    await sql`delete from signals where id is null`.execute(t.db);
    expect(told).toEqual([['ideas'], ['signals']]);
  });

  it("tells a transaction's tables once, after COMMIT, and never those of a rollback", async () => {
    const { t, told, idea } = await watched(dialect);
    await t.db.transaction().execute(async (trx) => {
      await idea('in a transaction', trx);
      await sql`delete from signals where id is null`.execute(trx);
      await idea('another', trx);
      // Not committed yet: nobody else can read these rows, so nobody is told.
      expect(told).toEqual([]);
    });
    expect(told).toEqual([['ideas', 'signals']]);
    await expect(
      t.db.transaction().execute(async (trx) => {
        await idea('rolled back', trx);
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(told).toEqual([['ideas', 'signals']]);
    // A controlled transaction (with a savepoint where the driver has them): told at its commit.
    const trx = await t.db.startTransaction().execute();
    if (dialect === 'postgres') {
      const sp = await trx.savepoint('a').execute();
      await idea('after a savepoint', sp);
      await sp.releaseSavepoint('a').execute();
    } else await idea('in a controlled transaction', trx);
    expect(told).toHaveLength(1);
    await trx.commit().execute();
    expect(told).toEqual([['ideas', 'signals'], ['ideas']]);
  });

  it('stops telling a removed listener', async () => {
    const { told, stop, idea } = await watched(dialect);
    stop();
    await idea('unseen');
    expect(told).toEqual([]);
  });
});
