import type { RateLimitHit, RecordedRequest, Violation } from './types.ts';

/** Everything the emulator saw, plus a change signal for `waitFor`. */
export interface Records {
  requests: RecordedRequest[];
  violations: Violation[];
  rateLimitHits: RateLimitHit[];
  violation(v: Omit<Violation, 'time'>): void;
  /** Signals that state changed, so pending waiters re-check. */
  changed(): void;
  waitFor<T>(predicate: () => T | null | undefined | false, timeoutMs?: number, label?: string): Promise<T>;
  /** Rejects pending waiters; called on close. */
  dispose(): void;
}

export function createRecords(now: () => number): Records {
  const waiters = new Set<() => void>();
  const disposers = new Set<(err: Error) => void>();
  const records: Records = {
    requests: [],
    violations: [],
    rateLimitHits: [],
    violation(v) {
      records.violations.push({ ...v, time: now() });
      records.changed();
    },
    changed() {
      for (const w of [...waiters]) w();
    },
    waitFor(predicate, timeoutMs = 5000, label = 'condition') {
      return new Promise((resolve, reject) => {
        const finish = () => {
          waiters.delete(check);
          disposers.delete(fail);
          clearTimeout(timer);
          clearInterval(poll);
        };
        const check = () => {
          let value: ReturnType<typeof predicate>;
          try {
            value = predicate();
          } catch (err) {
            finish();
            reject(err);
            return;
          }
          if (value) {
            finish();
            resolve(value);
          }
        };
        const fail = (err: Error) => {
          finish();
          reject(err);
        };
        const timer = setTimeout(
          () => fail(new Error(`discord emulator: timed out after ${timeoutMs} ms waiting for ${label}`)),
          timeoutMs,
        );
        // Predicates may also look at state outside the emulator (a database, a log), so poll too.
        const poll = setInterval(check, 25);
        waiters.add(check);
        disposers.add(fail);
        check();
      });
    },
    dispose() {
      for (const d of [...disposers]) d(new Error('discord emulator closed'));
    },
  };
  return records;
}
