import { describe, expect, it } from 'vitest';
import type { DebateSessionRow } from '../../db/schema.ts';
import { errorBackoffOver } from '../../engine/debate/control.ts';

const row = (pausedAt: string, errorPauses: number, reason = 'error') =>
  ({
    id: 'd1',
    pause_reason: reason,
    metadata: { rounds: 2, seed: 'd1', origin: 'test', budgetCapUsd: null, pausedAt, errorPauses },
  }) as unknown as DebateSessionRow;

describe('a debate paused with reason error resumes by itself, backing off', () => {
  const t0 = '2026-12-02T04:00:00.000Z';
  const at = (ms: number) => new Date(new Date(t0).getTime() + ms);

  it('waits 30 s after the first error pause, 2 min after the second, then longer', () => {
    expect(errorBackoffOver(row(t0, 1), at(29_000))).toBe(false);
    expect(errorBackoffOver(row(t0, 1), at(30_000))).toBe(true);
    expect(errorBackoffOver(row(t0, 2), at(60_000))).toBe(false);
    expect(errorBackoffOver(row(t0, 2), at(120_000))).toBe(true);
    expect(errorBackoffOver(row(t0, 9), at(29 * 60_000))).toBe(false);
    expect(errorBackoffOver(row(t0, 9), at(30 * 60_000))).toBe(true);
  });

  it('never lifts a budget pause or a stop', () => {
    expect(errorBackoffOver(row(t0, 1, 'budget'), at(3_600_000))).toBe(false);
    expect(errorBackoffOver(row(t0, 1, 'stopped'), at(3_600_000))).toBe(false);
  });
});
