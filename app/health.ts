import type { ComponentStatus } from '../dashboard/types.ts';
import type { Clock } from '../engine/clock.ts';

/**
 * What each component of this process is doing, for /api/health and the PROCESSES panel. A failure
 * keeps the time it began (`since`) until the component recovers, however often it repeats.
 */
export interface Health {
  set(component: ComponentStatus): void;
  fail(id: string, error: string): void;
  recover(id: string): void;
  get(id: string): ComponentStatus | undefined;
  list(): ComponentStatus[];
}

export function createHealth(clock: Clock): Health {
  const components = new Map<string, ComponentStatus>();
  // What a component was doing before it failed, to return to on recovery.
  const before = new Map<string, ComponentStatus['status']>();
  return {
    set(c) {
      components.set(c.id, c);
    },
    fail(id, error) {
      const c = components.get(id) ?? { id, name: id, kind: 'service' as const, status: 'running' as const };
      if (c.status !== 'error') before.set(id, c.status);
      components.set(id, {
        ...c,
        status: 'error',
        lastError: error,
        since: c.status === 'error' && c.since ? c.since : clock.now().toISOString(),
      });
    },
    recover(id) {
      const c = components.get(id);
      if (c?.status !== 'error') return;
      // The last error stays visible (with when it began) after the component is back.
      components.set(id, { ...c, status: before.get(id) ?? 'running', since: clock.now().toISOString() });
      before.delete(id);
    },
    get: (id) => components.get(id),
    list: () => [...components.values()],
  };
}
