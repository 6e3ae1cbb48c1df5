import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meterDatabase } from '../../bench/sql-meter.ts';
import type { Database } from '../../db/schema.ts';
import { createLeaseKeeper } from '../../engine/debate/run/lease-keeper.ts';
import { silentLogger } from '../../engine/log.ts';
import { createFixedClock } from '../fakes/fixed-clock.ts';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase, testDialects } from '../helpers/db.ts';

const LEASE = 30_000;
const RENEW = 10_000;

async function leasedDebate(db: Kysely<Database>, owner: string, until: Date): Promise<string> {
  const { rows: ideas } = await sql<{ id: string }>`
    insert into ideas (title, summary, source_type) values ('i', 's', 'manual') returning id`.execute(db);
  const { rows } = await sql<{ id: string }>`
    insert into debate_sessions (idea_id, phase, status, lease_owner, lease_expires_at)
    values (${ideas[0]!.id}::uuid, 'divergence', 'active', ${owner}, ${until.toISOString()}::timestamptz)
    returning id`.execute(db);
  return rows[0]!.id;
}

async function expiry(db: Kysely<Database>, id: string): Promise<string> {
  const row = await db
    .selectFrom('debate_sessions')
    .select('lease_expires_at')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return new Date(row.lease_expires_at as unknown as string).toISOString();
}

describe.each(testDialects())('lease keeper on %s', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(() => t.dispose());

  it('renews, in one statement, only the leases no commit extended lately, and reports a taken one lost', async () => {
    const clock = createFixedClock('2026-09-01T10:00:00Z');
    const meter = meterDatabase(t.db);
    const owner = 'runner-k';
    const start = new Date(clock.now().getTime() + LEASE);
    const [busy, waiting, taken] = [
      await leasedDebate(t.db, owner, start),
      await leasedDebate(t.db, owner, start),
      await leasedDebate(t.db, owner, start),
    ];
    const keeper = createLeaseKeeper({
      db: meter.db,
      clock,
      owner,
      leaseMs: LEASE,
      renewMs: RENEW,
      log: silentLogger,
    });
    const lost: string[] = [];
    for (const id of [busy, waiting, taken]) keeper.keep(id, () => lost.push(id));
    try {
      // Nothing is due right after the claims.
      meter.reset();
      await keeper.renewDue();
      expect(meter.stats().statements).toBe(0);

      clock.advance(RENEW / 2);
      keeper.extended(busy, clock.now()); // a commit extended it just now
      await t.db
        .updateTable('debate_sessions')
        .set({ lease_owner: 'runner-other' })
        .where('id', '=', taken)
        .execute();
      meter.reset();
      await keeper.renewDue();
      expect(meter.stats().statements).toBe(1);
      const until = new Date(clock.now().getTime() + LEASE).toISOString();
      expect(await expiry(t.db, waiting)).toBe(until);
      expect(await expiry(t.db, busy)).toBe(start.toISOString());
      expect(lost).toEqual([taken]);
      expect(keeper.stats()).toMatchObject({ kept: 2, statements: 1, renewed: 1 });

      // A starved event loop: the next renewal comes a whole lease late. The lease was never
      // taken, so the fenced renewal still holds it.
      clock.advance(LEASE + 5_000);
      await keeper.renewDue();
      expect(await expiry(t.db, busy)).toBe(new Date(clock.now().getTime() + LEASE).toISOString());
      expect(lost).toEqual([taken]);
    } finally {
      keeper.stop();
    }
  });
});

describe.skipIf(!TEST_DATABASE_URL)('lease renewals on Postgres', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('postgres', { maxConnections: 1 });
  });
  afterAll(() => t?.dispose());

  it('go through a connection of their own: a renewal lands while every pool connection is taken', async () => {
    expect(t.leaseDb).toBeDefined();
    const clock = createFixedClock('2026-09-01T10:00:00Z');
    const owner = 'runner-starved';
    const id = await leasedDebate(t.db, owner, new Date(clock.now().getTime() + LEASE));
    const keeper = createLeaseKeeper({
      db: t.leaseDb!,
      clock,
      owner,
      leaseMs: LEASE,
      renewMs: RENEW,
      log: silentLogger,
    });
    keeper.keep(id, () => {
      throw new Error('lost');
    });
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    let holding!: () => void;
    const held = new Promise<void>((r) => {
      holding = r;
    });
    // The pool's only connection is checked out until the renewal is done: a renewal queued in the
    // pool would wait forever here (the test would time out).
    const busy = t.db.transaction().execute(async (trx) => {
      await sql`select 1`.execute(trx);
      holding();
      await released;
    });
    try {
      await held;
      clock.advance(RENEW);
      await keeper.renewDue();
      expect(keeper.stats().renewed).toBe(1);
    } finally {
      release();
      await busy;
      keeper.stop();
    }
    expect(await expiry(t.db, id)).toBe(new Date(clock.now().getTime() + LEASE).toISOString());
  });
});
