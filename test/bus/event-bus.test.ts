import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryBus } from '../../engine/bus/memory-bus.ts';
import { createRedisBus } from '../../engine/bus/redis-bus.ts';
import type { ArenaEvent, EventBus } from '../../engine/events.ts';
import { TEST_REDIS_URL } from '../helpers/db.ts';

const at = '2026-11-25T12:00:00.000Z';
const paused = (debateId: string): ArenaEvent => ({ type: 'debate.paused', debateId, reason: 'user', at });

function waitFor<T>(check: () => T | undefined, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      const v = check();
      if (v !== undefined) return resolve(v);
      if (Date.now() - started > timeoutMs) return reject(new Error('timed out'));
      setTimeout(tick, 10);
    };
    tick();
  });
}

describe('memory bus', () => {
  it('delivers in order to every subscriber and survives a throwing listener', async () => {
    const errors: unknown[] = [];
    const bus = createMemoryBus({ onListenerError: (e) => errors.push(e) });
    const a: string[] = [];
    const b: string[] = [];
    bus.subscribe(() => {
      throw new Error('broken viewer');
    });
    bus.subscribe((e) => a.push((e as { debateId: string }).debateId));
    const off = bus.subscribe((e) => b.push((e as { debateId: string }).debateId));
    await bus.publish(paused('1'));
    off();
    await bus.publish(paused('2'));
    expect(a).toEqual(['1', '2']);
    expect(b).toEqual(['1']);
    expect(errors).toHaveLength(2);
  });
});

describe.runIf(TEST_REDIS_URL)('redis bus', () => {
  const buses: EventBus[] = [];
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()));
  });

  it('carries events between two processes sharing a channel, in order, and ignores junk', async () => {
    const channel = `arena:test:${Math.random().toString(36).slice(2)}`;
    const malformed: string[] = [];
    const one = await createRedisBus({ url: TEST_REDIS_URL!, channel });
    const two = await createRedisBus({
      url: TEST_REDIS_URL!,
      channel,
      onMalformed: (raw) => malformed.push(raw),
    });
    buses.push(one, two);
    const seenByTwo: string[] = [];
    const seenByOne: string[] = [];
    two.subscribe((e) => seenByTwo.push((e as { debateId: string }).debateId));
    one.subscribe((e) => seenByOne.push((e as { debateId: string }).debateId));
    for (let i = 0; i < 20; i++) await one.publish(paused(String(i)));
    const { Redis } = await import('ioredis');
    const raw = new Redis(TEST_REDIS_URL!);
    await raw.publish(channel, 'not json');
    await raw.quit();
    await waitFor(() => (seenByTwo.length === 20 && malformed.length === 1 ? true : undefined));
    expect(seenByTwo).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
    // The publisher hears its own events too, so every process sees one order.
    await waitFor(() => (seenByOne.length === 20 ? true : undefined));
    expect(malformed).toEqual(['not json']);
  });
});

if (!TEST_REDIS_URL) console.warn('[skip] TEST_REDIS_URL is not set: Redis bus tests are skipped');
