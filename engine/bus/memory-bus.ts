import type { ArenaEvent, EventBus } from '../events.ts';

/** In-process event bus: listeners are called synchronously, in subscription order. */
export function createMemoryBus(opts: { onListenerError?: (error: unknown) => void } = {}): EventBus {
  const listeners = new Set<(event: ArenaEvent) => void>();
  return {
    async publish(event) {
      deliver(listeners, event, opts.onListenerError);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
    },
  };
}

export function deliver(
  listeners: Iterable<(event: ArenaEvent) => void>,
  event: ArenaEvent,
  onError: ((error: unknown) => void) | undefined,
): void {
  for (const listener of [...listeners]) {
    try {
      listener(event);
    } catch (error) {
      // One broken viewer must not stop the others or the engine.
      onError?.(error);
    }
  }
}
