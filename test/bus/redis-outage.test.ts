import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRedisBus } from '../../engine/bus/redis-bus.ts';
import { TEST_REDIS_URL } from '../helpers/db.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterEach(() => vi.restoreAllMocks());

describe('Redis bus when Redis is not there', () => {
  it('fails the start quickly and leaves no client retrying in the background', async () => {
    const complaints = vi.spyOn(console, 'error').mockImplementation(() => {});
    const started = Date.now();
    await expect(createRedisBus({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 1000 })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5000);
    // ioredis retries every ~1.5 s and prints "[ioredis] Unhandled error event" when no one listens.
    await sleep(3500);
    expect(complaints).not.toHaveBeenCalled();
  });
});

describe.skipIf(!TEST_REDIS_URL)('Redis bus when Redis goes away at run time', () => {
  it('reports the outage once, without unhandled errors, and reports the recovery', async () => {
    const target = new URL(TEST_REDIS_URL!);
    // Refused, not dropped: what ioredis meets when Redis is down, so it keeps retrying until it is back.
    const proxy = await startTcpProxy(
      { host: target.hostname, port: Number(target.port || 6379) },
      { whenCut: 'refuse' },
    );
    const complaints = vi.spyOn(console, 'error').mockImplementation(() => {});
    const seen: Array<string | null> = [];
    const bus = await createRedisBus({
      url: `redis://127.0.0.1:${proxy.port}`,
      channel: `outage-${process.pid}-${Date.now()}`,
      onConnection: (e) => seen.push(e ? e.message : null),
    });
    try {
      proxy.cut();
      await vi.waitFor(() => expect(seen.length).toBeGreaterThan(0), { timeout: 10_000 });
      await sleep(3000);
      // One report for the whole outage, however many retries ioredis made.
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatch(/ECONNREFUSED|Connection is closed|connect/i);
      await proxy.restore();
      await vi.waitFor(() => expect(seen.at(-1)).toBeNull(), { timeout: 15_000 });
      expect(complaints).not.toHaveBeenCalled();
    } finally {
      await bus.close();
      await proxy.close();
    }
  }, 40_000);
});

if (!TEST_REDIS_URL) console.warn('[skip] TEST_REDIS_URL is not set: the Redis outage test is skipped');
