import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBindingByThread } from '../../db/repositories/chat.ts';
import { claimDeliveries, claimDelivery, releaseDelivery } from '../../db/repositories/chat-delivery.ts';
import { listOutbox } from '../../db/repositories/chat-outbox.ts';
import { createMemoryBus } from '../../engine/bus/memory-bus.ts';
import type { EventBus } from '../../engine/events.ts';
import { builtinCatalog } from '../../personas/index.ts';
import type { Persona } from '../../personas/types.ts';
import { createFakeArena } from '../fakes/fake-arena.ts';
import { createTestDatabase, seedDebate, type TestDatabase, testDialects } from '../helpers/db.ts';
import { committingBus, startBot } from './harness.ts';
import { createMemoryPlatform } from './memory-platform.ts';

// Several bot processes share one database: each thread is delivered by one of them at a time
// (a lease on chat_threads, claimed with FOR UPDATE SKIP LOCKED), so no row is posted twice and no
// preview is streamed twice; a holder that dies is replaced once its lease runs out.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function seedThreads(t: TestDatabase, n: number): Promise<string[]> {
  const debateId = await seedDebate(t.db);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const row = await t.db
      .insertInto('chat_threads')
      .values({
        platform: 'discord',
        workspace_id: 'g',
        channel_id: 'c',
        thread_id: `t-${randomUUID()}`,
        debate_id: debateId,
        created_by: 'test',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids.push(row.id);
  }
  return ids;
}

describe.each(testDialects())('thread delivery leases on %s', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(() => t.dispose());

  it('one owner per thread: taken, refused to others, renewed, released, taken over after expiry', async () => {
    const ids = await seedThreads(t, 3);
    const a = await claimDeliveries(t.db, 'discord', 'proc-a', { leaseMs: 60_000, limit: 100 });
    expect(a.map((b) => b.id).sort()).toEqual([...ids].sort());
    expect(await claimDeliveries(t.db, 'discord', 'proc-b', { leaseMs: 60_000, limit: 100 })).toEqual([]);
    const refused = await claimDelivery(t.db, ids[0]!, 'proc-b', 60_000);
    expect(refused).toMatchObject({ held: false, owner: 'proc-a' });
    // The holder renews with the same call.
    expect(await claimDelivery(t.db, ids[0]!, 'proc-a', 60_000)).toEqual({ held: true });
    // Released: free for anyone.
    await releaseDelivery(t.db, ids[0]!, 'proc-b'); // not the owner: no effect
    expect((await claimDelivery(t.db, ids[0]!, 'proc-b', 60_000)).held).toBe(false);
    await releaseDelivery(t.db, ids[0]!, 'proc-a');
    expect(await claimDelivery(t.db, ids[0]!, 'proc-b', 60_000)).toEqual({ held: true });
    // A lease that ran out (its holder died) is taken over; the old holder learns it lost it.
    expect(await claimDelivery(t.db, ids[1]!, 'proc-a', 1)).toEqual({ held: true });
    await sleep(50);
    const taken = await claimDeliveries(t.db, 'discord', 'proc-b', { leaseMs: 60_000, limit: 100 });
    expect(taken.map((b) => b.id)).toContain(ids[1]);
    expect(taken.map((b) => b.id)).not.toContain(ids[2]);
    expect((await claimDelivery(t.db, ids[1]!, 'proc-a', 60_000)).held).toBe(false);
    await t.db.deleteFrom('chat_threads').execute();
  });

  it.runIf(dialect === 'postgres')(
    'processes sweeping at once split the threads, never share one',
    async () => {
      const ids = await seedThreads(t, 40);
      try {
        // Four sweeps at once on four pooled connections: each claims a disjoint set of threads.
        const results = await Promise.all(
          [0, 1, 2, 3].map((i) =>
            claimDeliveries(t.db, 'discord', `proc-${i}`, { leaseMs: 60_000, limit: 15 }),
          ),
        );
        const all = results.flatMap((r) => r.map((b) => b.id));
        expect(new Set(all).size).toBe(all.length);
        const owners = await t.db.selectFrom('chat_threads').select(['id', 'delivery_owner']).execute();
        for (const [i, r] of results.entries())
          for (const b of r) expect(owners.find((o) => o.id === b.id)?.delivery_owner).toBe(`proc-${i}`);
        // What a sweep skipped while locked, the next sweep takes; what others hold, it never does.
        const next = await claimDeliveries(t.db, 'discord', 'proc-0', { leaseMs: 60_000, limit: 100 });
        const mine = new Set(results[0]!.map((b) => b.id));
        for (const b of next) expect(mine.has(b.id) || !all.includes(b.id)).toBe(true);
        const held = await t.db
          .selectFrom('chat_threads')
          .select('id')
          .where('delivery_owner', 'is not', null)
          .execute();
        expect(held.length).toBe(ids.length);
      } finally {
        await t.db.deleteFrom('chat_threads').execute();
      }
    },
  );
});

describe.each(testDialects())('two bot processes delivering one debate on %s', (dialect) => {
  let t: TestDatabase;
  let personas: readonly Persona[];
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    personas = await builtinCatalog();
  });
  afterAll(() => t.dispose());

  it('every post once, in order, no preview twice; a dead holder is replaced after its lease', async () => {
    // One bus both bots hear (Redis in production), one platform both post to.
    const inner = createMemoryBus();
    const bus: EventBus = committingBus(t.db, inner);
    const arena = createFakeArena({ bus, db: t.db, personas, chunkMs: 3, speakers: 2 });
    const mem = createMemoryPlatform();
    const leaseMs = 1_500;
    const a = startBot({
      platform: mem.platform,
      arena,
      bus,
      db: t.db,
      personas,
      deliveryOwner: 'bot-a',
      deliveryLeaseMs: leaseMs,
    });
    const b = startBot({
      platform: mem.platform,
      arena,
      bus,
      db: t.db,
      personas,
      deliveryOwner: 'bot-b',
      deliveryLeaseMs: leaseMs,
    });
    await a.start();
    await b.start();
    // Counts every preview post: the memory platform keeps deleted posts too.
    await mem.command({
      subcommand: 'start',
      options: { idea: 'Shared ladders for a block of flats', rounds: 1 },
    });
    const thread = mem.threads[0]!;
    const binding = (await findBindingByThread(t.db, 'discord', 'guild', thread.threadId))!;
    // The holder "dies" (stops without giving anything back) once a few posts are out.
    await until(() => mem.visible(thread.threadId).length >= 4);
    const holder = (
      await t.db
        .selectFrom('chat_threads')
        .select('delivery_owner')
        .where('id', '=', binding.id)
        .executeTakeFirstOrThrow()
    ).delivery_owner;
    expect(['bot-a', 'bot-b']).toContain(holder);
    const [dead, alive] = holder === 'bot-a' ? [a, b] : [b, a];
    dead.stop();
    await arena.finished(binding.debateId);
    // The survivor's sweep finds the thread once the dead holder's lease has run out.
    await until(async () => {
      const rows = await listOutbox(t.db, binding.id);
      return rows.some((r) => r.dedupKey === 'end' && r.status === 'sent');
    }, 120_000);
    await alive.idle();
    const after = await t.db
      .selectFrom('chat_threads')
      .select('delivery_owner')
      .where('id', '=', binding.id)
      .executeTakeFirstOrThrow();
    expect(after.delivery_owner === null || after.delivery_owner !== holder).toBe(true);

    const rows = await listOutbox(t.db, binding.id);
    const visible = mem.visible(thread.threadId);
    expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);
    // The thread is exactly the outbox, post for post: nothing twice, no preview left.
    expect(visible.map((p) => p.id)).toEqual(rows.flatMap((r) => r.remoteIds));
    const detail = (await arena.getDebate(binding.debateId))!;
    const personaRows = rows.filter((r) => r.kind === 'persona');
    expect(personaRows).toHaveLength(detail.messages.filter((m) => m.authorKind === 'persona').length);
    const texts = personaRows.map((r) =>
      r.remoteIds.map((id) => visible.find((p) => p.id === id)!.text).join(' '),
    );
    const said = detail.messages.filter((m) => m.authorKind === 'persona');
    expect(texts.map((x) => x.replace(/\s+/g, ' '))).toEqual(said.map((m) => m.content.replace(/\s+/g, ' ')));
    expect(await t.db.selectFrom('chat_previews').selectAll().execute()).toEqual([]);
    alive.stop();
    await a.idle();
    await b.idle();
  }, 180_000);
});

async function until(probe: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(50);
  }
}

describe.each(testDialects())('a thread held by a killed process on %s', (dialect) => {
  let t: TestDatabase;
  let personas: readonly Persona[];
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    personas = await builtinCatalog();
  });
  afterAll(() => t.dispose());

  /** A process on this host: alive until `kill`. */
  async function processOnThisHost() {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    return {
      owner: `${hostname()}:${child.pid}`,
      async kill() {
        child.kill('SIGKILL');
        await exited;
      },
    };
  }

  const holdFor = (id: string, owner: string) =>
    t.db
      .updateTable('chat_threads')
      .set({ delivery_owner: owner, delivery_until: sql<Date>`now() + interval '60 seconds'` })
      .where('id', '=', id)
      .execute();
  const ownerOf = async (id: string) =>
    (
      await t.db
        .selectFrom('chat_threads')
        .select('delivery_owner')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).delivery_owner;

  it('is taken by the survivor at once, not after the lease; a live holder keeps its thread', async () => {
    const [deadThread, liveThread] = await seedThreads(t, 2);
    const dead = await processOnThisHost();
    const live = await processOnThisHost();
    try {
      // Both hold a lease a minute long; one is then SIGKILLed.
      await holdFor(deadThread!, dead.owner);
      await holdFor(liveThread!, live.owner);
      await dead.kill();
      const bus = createMemoryBus();
      const arena = createFakeArena({ bus, db: t.db, personas });
      const mem = createMemoryPlatform();
      const bot = startBot({
        platform: mem.platform,
        arena,
        bus,
        db: t.db,
        personas,
        deliveryOwner: 'survivor',
      });
      const began = Date.now();
      await bot.start();
      await until(async () => (await ownerOf(deadThread!)) === 'survivor', 5_000);
      // Delivered, not just claimed: the thread's open round banner is posted.
      await until(() => mem.posts.some((p) => p.embedTitle?.startsWith('Divergence')), 5_000);
      expect(Date.now() - began).toBeLessThan(10_000);
      expect(await ownerOf(liveThread!)).toBe(live.owner);
      bot.stop();
      await bot.idle();
    } finally {
      await live.kill();
      await t.db.deleteFrom('chat_threads').execute();
    }
  });
});
