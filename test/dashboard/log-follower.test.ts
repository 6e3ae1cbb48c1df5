import { randomUUID } from 'node:crypto';
import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventHub } from '../../dashboard/sse/event-hub.ts';
import {
  createLogFollower,
  type LogFollower,
  type LogFollowerOptions,
} from '../../dashboard/sse/log-follower.ts';
import { createMemoryBus } from '../../engine/bus/memory-bus.ts';
import type { ArenaEvent, EventBus } from '../../engine/events.ts';
import { silentLogger } from '../../engine/log.ts';
import { builtinCatalog } from '../../personas/index.ts';
import { committingBus } from '../bot/harness.ts';
import { createFakeArena } from '../fakes/fake-arena.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';

/** A bus that loses some events after they were committed, as a Redis hiccup would. */
function lossyBus(inner: EventBus, lose: (e: ArenaEvent, n: number) => boolean): EventBus {
  let n = 0;
  return {
    async publish(e) {
      if (e.type === 'message.created' && lose(e, n++)) return;
      await inner.publish(e);
    },
    subscribe: (fn) => inner.subscribe(fn),
    close: () => inner.close(),
  };
}

/** The turns of the messages a follower shows, in the order it shows them. */
function shownTurns(follower: LogFollower): number[] {
  const shown: number[] = [];
  follower.subscribe((e) => {
    if (e.type === 'message.created') shown.push(e.message.turnIndex);
  });
  return shown;
}

describe('the dashboard stream follows the committed log', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('pglite');
  });
  afterAll(() => t.dispose());

  /** A follower of the viewers' bus on this test's database, with the given timing. */
  const followerOf = (
    bus: EventBus,
    arena: LogFollowerOptions['arena'],
    timing: Pick<LogFollowerOptions, 'debounceMs' | 'sweepMs' | 'graceMs'>,
  ) =>
    createLogFollower({
      bus,
      db: t.db,
      arena,
      clock: { now: () => new Date() },
      log: silentLogger,
      ...timing,
    });

  it('shows messages whose events were lost, once each, from the log', async () => {
    const viewers = createMemoryBus();
    // Committed to the database first, then (maybe) announced: messages 2 and 5 never are.
    const bus = committingBus(
      t.db,
      lossyBus(viewers, (_e, n) => n === 2 || n === 5),
    );
    const arena = createFakeArena({ bus, personas: await builtinCatalog() });
    const follower = followerOf(viewers, arena, { debounceMs: 20, sweepMs: 200, graceMs: 300 });
    const hub = createEventHub({
      bus: follower,
      replayEvents: 1000,
      heartbeatMs: 60_000,
      statsMs: 60_000,
      maxStreamMs: 0,
      stats: () => ({}),
    });
    try {
      const { debateId } = await arena.startDebate({ idea: 'Lossless lemonade stands', origin: 'test' });
      await arena.finished(debateId);
      const detail = (await arena.getDebate(debateId))!;
      const shown = () =>
        hub
          .recent(1000)
          .filter((e) => e.type === 'message.created')
          .map((e) => (e as Extract<ArenaEvent, { type: 'message.created' }>).message.turnIndex);
      const deadline = Date.now() + 10_000;
      while (shown().length < detail.messages.length && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      // Each once: a late event after its catch-up is not shown again.
      expect([...shown()].sort((a, b) => a - b)).toEqual(detail.messages.map((m) => m.turnIndex));
    } finally {
      follower.close();
      hub.close();
    }
  }, 60_000);

  it('waits for a late event instead of reading the whole debate, and shows each message once', async () => {
    const viewers = createMemoryBus();
    // Every message is announced 150 ms after its commit (a busy process, a parallel group held for
    // its order): the follower's checks land in between, but the events do come.
    const late: EventBus = {
      async publish(e) {
        if (e.type === 'message.created') setTimeout(() => void viewers.publish(e), 150);
        else await viewers.publish(e);
      },
      subscribe: (fn) => viewers.subscribe(fn),
      close: () => viewers.close(),
    };
    const arena = createFakeArena({ bus: committingBus(t.db, late), personas: await builtinCatalog() });
    let wholeReads = 0;
    const follower = followerOf(
      viewers,
      {
        getDebate: (id) => {
          wholeReads++;
          return arena.getDebate(id);
        },
      },
      { debounceMs: 5, sweepMs: 50, graceMs: 5_000 },
    );
    const shown = shownTurns(follower);
    try {
      const { debateId } = await arena.startDebate({ idea: 'Patient projections', origin: 'test' });
      await arena.finished(debateId);
      const detail = (await arena.getDebate(debateId))!;
      const deadline = Date.now() + 10_000;
      while (shown.length < detail.messages.length && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      await new Promise((r) => setTimeout(r, 300));
      expect(shown).toEqual(detail.messages.map((m) => m.turnIndex));
      expect(wholeReads).toBe(0);
    } finally {
      follower.close();
    }
  }, 60_000);

  it('tells viewers of a pause, a resume and the end whose events were lost, from the debate row', async () => {
    const viewers = createMemoryBus();
    const statusEvents = new Set(['debate.paused', 'debate.resumed', 'debate.completed']);
    // The transitions commit (row and notice), but none of their events reaches the dashboard.
    const silentTransitions: EventBus = {
      async publish(e) {
        if (!statusEvents.has(e.type)) await viewers.publish(e);
      },
      subscribe: (fn) => viewers.subscribe(fn),
      close: () => viewers.close(),
    };
    const arena = createFakeArena({
      bus: committingBus(t.db, silentTransitions),
      personas: await builtinCatalog(),
      chunkMs: 40,
    });
    const follower = followerOf(viewers, arena, { debounceMs: 5, sweepMs: 50, graceMs: 200 });
    const told: ArenaEvent[] = [];
    let messages = 0;
    follower.subscribe((e) => {
      if (statusEvents.has(e.type)) told.push(e);
      if (e.type === 'message.created') messages++;
    });
    const until = async (ok: () => boolean) => {
      const deadline = Date.now() + 10_000;
      while (!ok() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    };
    try {
      const { debateId } = await arena.startDebate({ idea: 'Quiet transitions', origin: 'test' });
      await until(() => messages > 0);
      expect(await arena.pause(debateId, 'user')).toMatchObject({ ok: true });
      await until(() => told.length === 1);
      expect(told).toMatchObject([{ type: 'debate.paused', debateId, reason: 'user' }]);
      expect(await arena.resume(debateId)).toMatchObject({ ok: true });
      await until(() => told.length === 2);
      expect(told[1]).toMatchObject({ type: 'debate.resumed', debateId });
      await arena.finished(debateId);
      await until(() => told.length === 3);
      expect(told[2]).toMatchObject({ type: 'debate.completed', debateId, status: 'completed' });
      await new Promise((r) => setTimeout(r, 400));
      expect(told).toHaveLength(3);
    } finally {
      follower.close();
    }
  }, 60_000);

  it('does not show again a late event of a debate it followed to its end', async () => {
    const viewers = createMemoryBus();
    const lost: ArenaEvent[] = [];
    // Message 2's event stays away until the debate has ended and been caught up from the log.
    const bus = committingBus(
      t.db,
      lossyBus(viewers, (e, n) => n === 2 && lost.push(e) > 0),
    );
    const arena = createFakeArena({ bus, personas: await builtinCatalog() });
    // No check runs on its own: only the ones this test asks for.
    const follower = followerOf(viewers, arena, { debounceMs: 600_000, sweepMs: 600_000, graceMs: 0 });
    const shown = shownTurns(follower);
    try {
      const { debateId } = await arena.startDebate({ idea: 'Punctual postcards', origin: 'test' });
      await arena.finished(debateId);
      const turns = (await arena.getDebate(debateId))!.messages.map((m) => m.turnIndex);
      expect(lost).toHaveLength(1);
      // The check catches the lost message up and finds the debate over.
      await follower.check(debateId);
      expect([...shown].sort((a, b) => a - b)).toEqual(turns);
      await viewers.publish(lost[0]!);
      expect([...shown].sort((a, b) => a - b)).toEqual(turns);
    } finally {
      follower.close();
    }
  }, 60_000);
});

/** Counts the queries made through it and holds their results until opened: a pool that is busy. */
function heldReads() {
  const counts = { started: 0, inFlight: 0, maxInFlight: 0 };
  let open = false;
  const waiting: (() => void)[] = [];
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      counts.started++;
      counts.inFlight++;
      counts.maxInFlight = Math.max(counts.maxInFlight, counts.inFlight);
      return args.node;
    },
    async transformResult(args) {
      if (!open) await new Promise<void>((r) => waiting.push(r));
      counts.inFlight--;
      return args.result;
    },
  };
  return {
    plugin,
    counts,
    open() {
      open = true;
      for (const r of waiting.splice(0)) r();
    },
  };
}

describe.each(testDialects())('the log follower on a busy database (%s)', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(() => t.dispose());

  it('reads one check per debate at a time and at most maxReads at once, however many events come', async () => {
    const bus = createMemoryBus();
    const held = heldReads();
    const follower = createLogFollower({
      bus,
      db: t.db.withPlugin(held.plugin),
      arena: { getDebate: async () => null },
      clock: { now: () => new Date() },
      log: silentLogger,
      debounceMs: 1,
      sweepMs: 60_000,
      graceMs: 60_000,
      maxReads: 2,
    });
    const at = new Date().toISOString();
    const ids = Array.from({ length: 20 }, () => randomUUID());
    const burst = async (turnIndex: number) => {
      for (const debateId of ids)
        await bus.publish({
          type: 'turn.started',
          at,
          debateId,
          turnIndex,
          personaId: 'moderator',
          handle: 'moderator',
          reaction: 'summary',
          targetMessageId: null,
        });
    };
    const until = async (ok: () => boolean) => {
      const deadline = Date.now() + 10_000;
      while (!ok() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    };
    try {
      await burst(0);
      // Every debate's check is due; two read, the others wait for a slot, not in the pool's queue.
      await until(() => held.counts.started === 2);
      for (let turn = 1; turn <= 5; turn++) {
        await burst(turn);
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(held.counts.started).toBe(2);
      held.open();
      await until(() => held.counts.started >= ids.length && held.counts.inFlight === 0);
      await new Promise((r) => setTimeout(r, 50));
      // The debates are not in the log, so each check ends following its debate: one read each.
      expect(held.counts.started).toBe(ids.length);
      expect(held.counts.maxInFlight).toBe(2);
    } finally {
      follower.close();
    }
  }, 60_000);
});
