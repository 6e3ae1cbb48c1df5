import type { Clock } from '../../engine/clock.ts';

/** A clock that stands still until the test moves it. */
export interface FixedClock extends Clock {
  advance(ms: number): void;
  set(at: Date | string): void;
}

export function createFixedClock(start: Date | string = '2026-11-25T12:00:00.000Z'): FixedClock {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    advance(ms) {
      current += ms;
    },
    set(at) {
      current = new Date(at).getTime();
    },
  };
}
