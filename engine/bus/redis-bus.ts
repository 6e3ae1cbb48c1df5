import { Redis } from 'ioredis';
import type { ArenaEvent, EventBus } from '../events.ts';
import { deliver } from './memory-bus.ts';

export interface RedisBusOptions {
  url: string;
  /** Pub/sub channel; processes sharing it see each other's events. */
  channel?: string;
  onListenerError?: (error: unknown) => void;
  onMalformed?: (raw: string) => void;
}

/**
 * Event bus over Redis pub/sub, so every arena process (engine, bots, dashboards) sees every event.
 * Local listeners hear events when Redis echoes them back, which keeps one order for everyone.
 */
export async function createRedisBus(options: RedisBusOptions): Promise<EventBus> {
  const channel = options.channel ?? 'arena:events';
  const pub = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  const sub = new Redis(options.url, { lazyConnect: true });
  await Promise.all([pub.connect(), sub.connect()]);
  const listeners = new Set<(event: ArenaEvent) => void>();
  sub.on('message', (_channel: string, raw: string) => {
    let event: ArenaEvent;
    try {
      event = JSON.parse(raw) as ArenaEvent;
    } catch {
      options.onMalformed?.(raw);
      return;
    }
    if (!event || typeof event !== 'object' || typeof event.type !== 'string') {
      options.onMalformed?.(raw);
      return;
    }
    deliver(listeners, event, options.onListenerError);
  });
  await sub.subscribe(channel);
  return {
    async publish(event) {
      await pub.publish(channel, JSON.stringify(event));
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
      await Promise.allSettled([sub.quit(), pub.quit()]);
    },
  };
}
