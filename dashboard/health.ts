import type { ComponentStatus } from './types.ts';

/** What the header, `/api/health` and the live stream say about the app, from one rule. */
export interface SystemHealth {
  degraded: boolean;
  dbOk: boolean;
  components: ComponentStatus[];
}

/**
 * Degraded means a part of the app is failing: a component in error or the database unreachable.
 * A read that was slow, or failed on its own, is not a failing component: the snapshot shows that
 * part as missing and the page stays online (issue #14 item 17).
 */
export function systemHealth(components: ComponentStatus[], dbOk: boolean): SystemHealth {
  return { degraded: !dbOk || components.some((c) => c.status === 'error'), dbOk, components };
}
