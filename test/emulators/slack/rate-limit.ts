import type { RateRule } from './types.ts';

/** Fixed windows per key: `take` answers null when allowed, else the seconds to wait. */
export function createWindows() {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    take(key: string, rule: RateRule): number | null {
      const now = Date.now();
      let w = windows.get(key);
      if (!w || now >= w.start + rule.windowMs) {
        w = { start: now, count: 0 };
        windows.set(key, w);
      }
      if (w.count >= rule.limit) return Math.max(1, Math.ceil((w.start + rule.windowMs - now) / 1000));
      w.count++;
      return null;
    },
  };
}
