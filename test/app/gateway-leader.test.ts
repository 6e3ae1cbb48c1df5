import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdLeadership, type Leadership } from '../../app/roles/leader.ts';
import { silentLogger } from '../../engine/log.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';

// One process per platform holds the gateway (a lease row in platform_leaders). A holder that
// stops gives it back; one that was killed on this host is replaced at the next round, not after
// its lease; a live holder is never displaced.

/** A leadership whose elections and depositions are counted. */
function contender(t: TestDatabase, owner: string, leaseMs: number) {
  const seen = { elected: 0, deposed: 0 };
  let onElected: () => void = () => {};
  const electedOnce = new Promise<void>((resolve) => {
    onElected = resolve;
  });
  const leadership: Leadership = holdLeadership({
    db: t.db,
    platform: 'discord',
    owner,
    log: silentLogger,
    leaseMs,
    async onElected() {
      seen.elected++;
      onElected();
    },
    async onDeposed() {
      seen.deposed++;
    },
  });
  return { leadership, seen, electedOnce };
}

async function killedProcessOwner(): Promise<string> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  return `${hostname()}:${child.pid}`;
}

describe.each(testDialects())('gateway leadership on %s', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(() => t.dispose());

  const holder = () =>
    t.db.selectFrom('platform_leaders').select('owner').where('platform', '=', 'discord').executeTakeFirst();

  it('one holder at a time; a clean stop hands the gateway over', async () => {
    await t.db.deleteFrom('platform_leaders').execute();
    // a's lease outlasts the test however slow the machine; b asks every 200 ms.
    const a = contender(t, 'host-a:1', 600_000);
    await a.electedOnce;
    const b = contender(t, 'host-b:2', 600);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(b.seen.elected).toBe(0);
    expect(a.leadership.isLeader()).toBe(true);
    await a.leadership.stop();
    expect(a.seen.deposed).toBe(1);
    await b.electedOnce;
    expect(b.leadership.isLeader()).toBe(true);
    expect((await holder())?.owner).toBe('host-b:2');
    await b.leadership.stop();
  });

  it('takes the gateway at once from a holder on this host whose process was killed', async () => {
    await t.db.deleteFrom('platform_leaders').execute();
    const gone = await killedProcessOwner();
    // The dead holder's lease runs for ten minutes: only the takeover can elect the contender.
    await t.db
      .insertInto('platform_leaders')
      .values({
        platform: 'discord',
        owner: gone,
        lease_until: new Date(Date.now() + 600_000),
        since: new Date(),
      })
      .execute();
    const c = contender(t, `${hostname()}:${process.pid}`, 600_000);
    await c.electedOnce;
    expect((await holder())?.owner).toBe(`${hostname()}:${process.pid}`);
    await c.leadership.stop();
  });

  it('waits out a live holder, or one on another host, whatever its lease', async () => {
    for (const owner of [`${hostname()}:${process.ppid}`, 'elsewhere.example:12345']) {
      await t.db.deleteFrom('platform_leaders').execute();
      await t.db
        .insertInto('platform_leaders')
        .values({
          platform: 'discord',
          owner,
          lease_until: new Date(Date.now() + 600_000),
          since: new Date(),
        })
        .execute();
      const c = contender(t, 'host-c:3', 300);
      await new Promise((r) => setTimeout(r, 800));
      expect(c.seen.elected).toBe(0);
      expect((await holder())?.owner).toBe(owner);
      await c.leadership.stop();
    }
  });
});
