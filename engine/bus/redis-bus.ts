import { Redis } from 'ioredis';
import type { ArenaEvent, EventBus } from '../events.ts';
import { deliver } from './memory-bus.ts';

export interface RedisBusOptions {
  url: string;
  /** Pub/sub channel; processes sharing it see each other's events. */
  channel?: string;
  onListenerError?: (error: unknown) => void;
  onMalformed?: (raw: string) => void;
  /**
   * Redis went away (`error` set) or came back (`error` null) after the start. ioredis reconnects by
   * itself; meanwhile publishes fail and the committed log remains the source of truth.
   */
  onConnection?: (error: Error | null) => void;
  /** How long the first connection may take before the start fails. */
  connectTimeoutMs?: number;
}

/**
 * Event bus over Redis pub/sub, so every arena process (engine, bots, dashboards) sees every event.
 * Local listeners hear events when Redis echoes them back, which keeps one order for everyone.
 */
export async function createRedisBus(options: RedisBusOptions): Promise<EventBus> {
  const channel = options.channel ?? 'arena:events';
  const common = { lazyConnect: true, connectTimeout: options.connectTimeoutMs ?? 5000 };
  const pub = new Redis(options.url, { ...common, maxRetriesPerRequest: 3 });
  const sub = new Redis(options.url, common);
  // Every client has an error listener: without one ioredis prints "Unhandled error event" on each
  // retry. One report per outage, not one per retry.
  let started = false;
  let down: Error | null = null;
  for (const client of [pub, sub]) {
    client.on('error', (error: Error) => {
      if (!started || down) return;
      down = error;
      options.onConnection?.(error);
    });
    client.on('ready', () => {
      if (!started || !down || pub.status !== 'ready' || sub.status !== 'ready') return;
      down = null;
      options.onConnection?.(null);
    });
  }
  try {
    await Promise.all([pub.connect(), sub.connect()]);
  } catch (error) {
    // A failed first connection stops both clients, so nothing keeps retrying in the background.
    pub.disconnect();
    sub.disconnect();
    throw error;
  }
  started = true;
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
