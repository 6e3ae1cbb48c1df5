import type { Logger } from '../../engine/log.ts';
import { type ChatLimitSettings, type ChatLimits, createChatLimits } from './chat-limits.ts';

/**
 * The chat limits of one platform in this process: on Redis when `redisUrl` is set, so every bot
 * process counts a person's commands together; in memory otherwise. Redis away: each process counts
 * on its own until it answers again (logged once each way).
 */
export async function openChatLimits(o: {
  settings: ChatLimitSettings;
  redisUrl?: string | undefined;
  /** Key prefix of the limits in Redis (default `arena:limit:`). */
  redisPrefix?: string;
  log: Logger;
}): Promise<{ limits: ChatLimits; close(): Promise<void> }> {
  if (!o.redisUrl)
    return { limits: createChatLimits({ settings: o.settings, log: o.log }), close: async () => {} };
  // ioredis is imported only when Redis is configured (an idle arena without it never loads it).
  const { Redis } = await import('ioredis');
  const client = new Redis(o.redisUrl, {
    lazyConnect: true,
    connectTimeout: 5000,
    commandTimeout: 1000,
    // A command while disconnected fails at once and is counted in memory instead.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
  });
  let down = false;
  client.on('error', (error: Error) => {
    if (down) return;
    down = true;
    o.log.warn(`chat limits: Redis unreachable (${error.message}); counting in this process meanwhile`);
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    o.log.info('chat limits: Redis is back');
  });
  // Not fatal at start: ioredis keeps reconnecting, and the limits count in memory meanwhile.
  await client.connect().catch(() => {});
  return {
    limits: createChatLimits({
      settings: o.settings,
      store: client,
      log: o.log,
      ...(o.redisPrefix ? { prefix: o.redisPrefix } : {}),
    }),
    close: async () => client.disconnect(),
  };
}
