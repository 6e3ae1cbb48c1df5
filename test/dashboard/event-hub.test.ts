import { afterEach, describe, expect, it } from 'vitest';
import { createEventHub, type EventHub } from '../../dashboard/sse/event-hub.ts';
import { createMemoryBus } from '../../engine/bus/memory-bus.ts';
import type { ArenaEvent } from '../../engine/events.ts';
import { readFrames, type SseFrame } from './helpers.ts';

const at = '2026-11-25T12:00:00.000Z';
const D = '11111111-1111-4111-8111-111111111111';
const paused = (reason: string): ArenaEvent => ({ type: 'debate.paused', at, debateId: D, reason });
const delta = (turnIndex: number, text: string): ArenaEvent => ({
  type: 'message.delta',
  at,
  debateId: D,
  turnIndex,
  personaId: 'dev_optimistic',
  delta: text,
});

describe('SSE event hub', () => {
  let hub: EventHub;
  const bus = createMemoryBus();
  const make = (replayEvents = 100) => {
    hub = createEventHub({
      bus,
      replayEvents,
      heartbeatMs: 60_000,
      statsMs: 60_000,
      maxStreamMs: 0,
      stats: () => ({}),
    });
    return hub;
  };
  afterEach(() => hub?.close());

  const data = (frames: SseFrame[]) =>
    frames.filter((f) => f.data).map((f) => ({ ...JSON.parse(f.data!), _id: f.id, _ev: f.event }));

  it('replays exactly the events after Last-Event-ID, with contiguous ids', async () => {
    make();
    for (let i = 1; i <= 5; i++) await bus.publish(paused(`r${i}`));
    const all = data(await readFrames(hub.stream(null).body!, (f) => f.length >= 1));
    expect(all).toEqual([]); // a fresh connection gets no history
    const first = hub.currentId();
    expect(first).toMatch(/-5$/);
    const start = first.replace(/-5$/, '-2');
    const replayed = data(
      await readFrames(hub.stream(start).body!, (f) => f.filter((x) => x.data).length >= 3),
    );
    expect(replayed.map((e) => e.reason)).toEqual(['r3', 'r4', 'r5']);
    expect(replayed.map((e) => e._id)).toEqual([3, 4, 5].map((n) => first.replace(/-5$/, `-${n}`)));
  });

  it('asks for a resync when the id is unknown or older than the buffer', async () => {
    make(3);
    for (let i = 1; i <= 6; i++) await bus.publish(paused(`r${i}`));
    const id = (n: number) => hub.currentId().replace(/-\d+$/, `-${n}`);
    const resync = async (last: string) =>
      (await readFrames(hub.stream(last).body!, (f) => f.some((x) => x.event === 'resync' || x.data))).find(
        (f) => f.data,
      )!;
    // The buffer holds 4..6: a client at 3 can still be served exactly, one at 2 cannot.
    expect(
      data(await readFrames(hub.stream(id(3)).body!, (f) => f.filter((x) => x.data).length >= 3)).map(
        (e) => e.reason,
      ),
    ).toEqual(['r4', 'r5', 'r6']);
    expect((await resync(id(2))).event).toBe('resync');
    expect((await resync('otherboot-1')).event).toBe('resync');
    expect((await resync(id(99))).event).toBe('resync');
    expect((await resync('garbage')).event).toBe('resync');
  });

  it('merges streaming deltas, keeps them before the next event, and hands partial text to late joiners', async () => {
    make();
    const early = hub.stream(null);
    await bus.publish(delta(0, 'Hello '));
    await bus.publish(delta(0, 'brave '));
    // A late joiner gets the text so far as one partial frame.
    const late = hub.stream(null);
    await bus.publish(delta(0, 'new world'));
    await bus.publish(paused('user'));
    const seen = await readFrames(early.body!, (f) => f.some((x) => x.data?.includes('debate.paused')));
    const kinds = seen.filter((f) => f.data).map((f) => f.event ?? 'event');
    expect(kinds.at(-1)).toBe('event');
    const text = data(seen)
      .filter((e) => e._ev === 'delta')
      .map((e) => e.delta)
      .join('');
    expect(text).toBe('Hello brave new world');
    expect(seen.filter((f) => f.event === 'delta').length).toBeLessThan(3);
    const lateFrames = data(
      await readFrames(late.body!, (f) => f.some((x) => x.data?.includes('debate.paused'))),
    );
    const partial = lateFrames.find((e) => e._ev === 'partial');
    const rest = lateFrames
      .filter((e) => e._ev === 'delta')
      .map((e) => e.delta)
      .join('');
    expect(`${partial.text}${rest}`).toBe('Hello brave new world');
    // Paused ends the partial: a new client no longer sees unfinished text.
    expect(hub.partials()).toEqual([]);
  });

  it('forgets partial text once the message is committed', async () => {
    make();
    await bus.publish(delta(4, 'draft'));
    expect(hub.partials()).toEqual([
      { debateId: D, turnIndex: 4, personaId: 'dev_optimistic', text: 'draft' },
    ]);
    await bus.publish({
      type: 'message.created',
      at,
      debateId: D,
      message: {
        id: '22222222-2222-4222-8222-222222222222',
        debateId: D,
        turnIndex: 4,
        phase: 'divergence',
        round: 1,
        authorKind: 'persona',
        agentId: 'dev_optimistic',
        agentName: 'Alex Kim',
        handle: 'OptimisticDev',
        color: '#00ff88',
        type: 'propose',
        content: 'draft',
        references: [],
        model: 'offline',
        promptTokens: 1,
        completionTokens: 1,
        costUsd: 0,
        metadata: null,
        createdAt: at,
      },
    });
    expect(hub.partials()).toEqual([]);
    expect(hub.recent(10).map((e) => e.type)).toEqual(['message.created']);
  });

  it('redacts secrets in log events before they reach any client', async () => {
    make();
    await bus.publish({
      type: 'log',
      at,
      level: 'error',
      source: 'discord',
      message: 'auth: Bearer abc.def-123 failed',
    });
    const [e] = hub.recent(1);
    expect(e).toMatchObject({ type: 'log', message: 'auth: Bearer *** failed' });
  });
});
