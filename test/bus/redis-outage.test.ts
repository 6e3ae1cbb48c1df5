import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRedisBus } from '../../engine/bus/redis-bus.ts';
import { TEST_REDIS_URL } from '../helpers/db.ts';

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

/** A TCP proxy to the real Redis that a test can cut and bring back on the same port. */
async function redisProxy(target: URL) {
  let server: Server | null = null;
  const sockets = new Set<Socket>();
  const listen = (port: number) =>
    new Promise<number>((resolve) => {
      server = createServer((client) => {
        const upstream = tcpConnect(Number(target.port || 6379), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('error', () => {});
          s.on('close', () => sockets.delete(s));
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => resolve((server!.address() as { port: number }).port));
    });
  const port = await listen(0);
  return {
    url: `redis://127.0.0.1:${port}`,
    async cut() {
      await new Promise<void>((resolve) => {
        server?.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
    restore: () => listen(port),
    close() {
      for (const s of sockets) s.destroy();
      server?.close();
    },
  };
}

describe.skipIf(!TEST_REDIS_URL)('Redis bus when Redis goes away at run time', () => {
  it('reports the outage once, without unhandled errors, and reports the recovery', async () => {
    const proxy = await redisProxy(new URL(TEST_REDIS_URL!));
    const complaints = vi.spyOn(console, 'error').mockImplementation(() => {});
    const seen: Array<string | null> = [];
    const bus = await createRedisBus({
      url: proxy.url,
      channel: `outage-${process.pid}-${Date.now()}`,
      onConnection: (e) => seen.push(e ? e.message : null),
    });
    try {
      await proxy.cut();
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
      proxy.close();
    }
  }, 40_000);
});

if (!TEST_REDIS_URL) console.warn('[skip] TEST_REDIS_URL is not set: the Redis outage test is skipped');
