import { Redis } from 'ioredis';
import type { Logger } from '../log.ts';
import { groupsOf } from './keys.ts';
import { emptyCounts } from './stats.ts';
import type { Cache, CacheGroup, CacheKey } from './types.ts';

export interface RedisCacheOptions {
  url: string;
  log: Logger;
  /** Key prefix; processes sharing it share the cache (default `arena:cache:`). */
  prefix?: string;
  /** Redis went away (`error` set) or came back (`null`); reads meanwhile go to the database. */
  onConnection?: (error: Error | null) => void;
  connectTimeoutMs?: number;
  /** A Redis that answers slower than this is treated as gone for the read (default 2 s). */
  commandTimeoutMs?: number;
}

// A generation counter lives this long after its last bump: longer than any value's TTL.
const GENERATION_TTL_S = 24 * 3600;

/**
 * The cache on Redis. Invalidation design:
 * - A value is stored as `{ g, v }`, where `g` is its group's generation read *before* the database
 *   was read. A read takes the value and the generation in one MGET and uses the value only when
 *   they match, so a load that raced a write is never served.
 * - Every committed write to a table a group reads bumps the group's generation (db/write-watch.ts
 *   sees each write at the driver, in every process with a cache, whoever wrote): a lone statement
 *   once it ran, a transaction's statements once its COMMIT returned. A read that loaded the old rows
 *   before the commit stored them under the old generation, so it is never served afterwards, however
 *   long the transaction took. Writes are found where they happen, with no list of write sites.
 * - Redis gone: reads go to the database (a failed or slow command is a miss), the outage is logged
 *   once, ioredis reconnects by itself, and on its return the whole cache is dropped, since the
 *   invalidations of the outage were lost.
 */
export async function createRedisCache(options: RedisCacheOptions): Promise<Cache> {
  const prefix = options.prefix ?? 'arena:cache:';
  const log = options.log;
  const client = new Redis(options.url, {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    commandTimeout: options.commandTimeoutMs ?? 2000,
    // While disconnected, commands fail at once instead of waiting for the reconnect.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
  });
  let started = false;
  let outage = false;
  let flushing = false;
  let closed = false;
  const usable = () => started && !outage && !flushing && client.status === 'ready';

  const fail = (error: Error) => {
    if (!started || closed) return;
    if (!outage) {
      outage = true;
      log.warn(`cache: Redis unreachable (${error.message}); reads go to the database`);
      options.onConnection?.(error);
    }
    // A command that failed on a live connection (a timeout): reconnect, so the cache is dropped
    // and built again from the database rather than trusted after invalidations may have failed.
    if (client.status === 'ready') client.disconnect(true);
  };
  // Every ioredis client has an error listener (unhandled, it prints on every retry).
  client.on('error', (error: Error) => fail(error));
  client.on('close', () => {
    if (started && !closed) fail(new Error('connection closed'));
  });
  client.on('ready', () => {
    if (!started || !outage || flushing) return;
    flushing = true;
    dropAll()
      .then(() => {
        outage = false;
        log.info('cache: Redis is back; cache emptied');
        options.onConnection?.(null);
      })
      .catch(() => {
        // Still shaky: the next 'ready' tries again.
      })
      .finally(() => {
        flushing = false;
      });
  });

  async function dropAll(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length) await client.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  }

  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw error;
  }
  started = true;

  const genKey = (g: CacheGroup) => `${prefix}gen:${g}`;
  const counts = emptyCounts();
  const pending = new Set<CacheGroup>();
  let flushQueued = false;
  let lastBump: Promise<unknown> = Promise.resolve();

  const bump = () => {
    flushQueued = false;
    if (!pending.size) return;
    const groups = [...pending];
    pending.clear();
    // Down: nothing to bump; the cache is dropped when Redis returns.
    if (!usable()) return;
    const multi = client.multi();
    for (const g of groups) multi.incr(genKey(g)).expire(genKey(g), GENERATION_TTL_S);
    lastBump = multi.exec().catch((e: Error) => fail(e));
  };
  return {
    kind: 'redis',
    async read<T>(key: CacheKey, load: () => Promise<T>): Promise<T> {
      const count = counts[key.group];
      if (!usable()) {
        count.errors++;
        return load();
      }
      const valueKey = `${prefix}${key.key}`;
      let generation = '0';
      try {
        const [raw, gen] = await client.mget(valueKey, genKey(key.group));
        generation = gen ?? '0';
        if (raw) {
          const stored = JSON.parse(raw) as { g: string; v: T };
          if (stored.g === generation) {
            count.hits++;
            return stored.v;
          }
        }
      } catch (error) {
        fail(error as Error);
        count.errors++;
        return load();
      }
      count.misses++;
      const value = await load();
      // What a hit returns: the same JSON shape whether the value came from Redis or not.
      const text = JSON.stringify({ g: generation, v: value });
      if (usable()) client.set(valueKey, text, 'EX', key.ttlSeconds).catch((e: Error) => fail(e));
      return (JSON.parse(text) as { v: T }).v;
    },
    tablesWritten(tables) {
      for (const g of groupsOf(tables)) pending.add(g);
      if (pending.size && !flushQueued) {
        flushQueued = true;
        // Sent before the writer's caller runs on, so its next read on this client sees the bump
        // (one connection: Redis answers commands in order).
        queueMicrotask(bump);
      }
    },
    stats: () => structuredClone(counts),
    async settled() {
      await Promise.resolve();
      await lastBump;
    },
    async close() {
      closed = true;
      await client.quit().catch(() => client.disconnect());
    },
  };
}
